namespace Vitals.Gateway.Tests.Storage;

public abstract class StoreCredentialsTests : IDisposable
{
    private readonly TempStore _temp;

    private protected StoreCredentialsTests(TempStore temp)
    {
        _temp = temp;
    }

    [Fact]
    public async Task Issuing_again_replaces_the_hash_and_revoking_removes_it()
    {
        using var store = await _temp.OpenAsync();
        var at = _temp.Clock.GetUtcNow();

        await store.Credentials.SetAsync("thermo-1", "$7$101$a$b", at, CancellationToken.None);
        await store.Credentials.SetAsync("cuff-1", "$7$101$c$d", at, CancellationToken.None);
        await store.Credentials.SetAsync("thermo-1", "$7$101$e$f", at.AddMinutes(1), CancellationToken.None);

        Assert.Equal("$7$101$e$f", await store.Credentials.FindHashAsync("thermo-1", CancellationToken.None));
        Assert.Equal(
            [new("cuff-1", "$7$101$c$d", at), new("thermo-1", "$7$101$e$f", at.AddMinutes(1))],
            await store.Credentials.ListAsync(CancellationToken.None));

        Assert.True(await store.Credentials.RevokeAsync("thermo-1", CancellationToken.None));
        Assert.False(await store.Credentials.RevokeAsync("thermo-1", CancellationToken.None));
        Assert.Null(await store.Credentials.FindHashAsync("thermo-1", CancellationToken.None));
    }

    public void Dispose() => _temp.Dispose();
}
