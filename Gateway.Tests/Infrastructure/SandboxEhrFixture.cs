namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// One sandbox EHR for a test class (xunit <c>IClassFixture&lt;SandboxEhrFixture&gt;</c>): it takes a second or two to
/// start, so a class shares it; tests keep apart by using their own identifiers.
/// </summary>
public sealed class SandboxEhrFixture : IAsyncLifetime
{
    private SandboxEhrProcess? _ehr;

    public SandboxEhrProcess Ehr => _ehr ?? throw new InvalidOperationException("the sandbox EHR has not started");

    public async Task InitializeAsync() => _ehr = await SandboxEhrProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_ehr is not null)
        {
            await _ehr.DisposeAsync();
        }
    }
}
