namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// One sandbox EHR for a test class with its Medplum behaviours off (<c>--medplum none</c>): a neutral FHIR R4 server
/// that validates the <c>bp</c> profile correctly, takes transactions of any size and has no quota. For tests about
/// something else than how the gateway copes with Medplum; <c>$admin/reset</c> keeps it neutral.
/// </summary>
public sealed class NeutralSandboxEhrFixture : IAsyncLifetime
{
    private SandboxEhrProcess? _ehr;

    public SandboxEhrProcess Ehr => _ehr ?? throw new InvalidOperationException("the sandbox EHR has not started");

    public async Task InitializeAsync() => _ehr = await SandboxEhrProcess.StartAsync(extraArguments: ["--medplum", "none"]);

    public async Task DisposeAsync()
    {
        if (_ehr is not null)
        {
            await _ehr.DisposeAsync();
        }
    }
}
