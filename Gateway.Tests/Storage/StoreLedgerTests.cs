using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>The single-post de-duplication ledger: what it remembers across a reopen.</summary>
public abstract class StoreLedgerTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempStore _temp;

    private protected StoreLedgerTests(TempStore temp)
    {
        _temp = temp;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Sending_then_acknowledged_survives_a_reopen_and_an_acknowledgement_is_never_downgraded()
    {
        var at = _temp.Clock.GetUtcNow();
        using (var store = await _temp.OpenAsync())
        {
            await store.Ledger.RecordSendingAsync(["Observation|s|1", "Observation|s|2"], at, None);
            await store.Ledger.RecordAcknowledgedAsync("Observation|s|1", "Observation/77", at, None);
            // A later "sending" for an acknowledged key (a stale retry) must not forget the acknowledgement.
            await store.Ledger.RecordSendingAsync(["Observation|s|1"], at.AddSeconds(1), None);
        }

        using var reopened = await _temp.OpenAsync();
        var known = await reopened.Ledger.GetLedgerAsync(["Observation|s|1", "Observation|s|2", "Observation|s|3"], None);

        Assert.Equal(new LedgerEntry("Observation|s|1", true, "Observation/77", at), known["Observation|s|1"]);
        Assert.False(known["Observation|s|2"].Acknowledged);
        Assert.False(known.ContainsKey("Observation|s|3"));

        await reopened.Ledger.ForgetSendingAsync("Observation|s|2", None);
        await reopened.Ledger.ForgetSendingAsync("Observation|s|1", None);
        var after = await reopened.Ledger.GetLedgerAsync(["Observation|s|1", "Observation|s|2"], None);
        Assert.Equal(["Observation|s|1"], after.Keys);
    }

    [Fact]
    public async Task Acknowledged_without_a_server_id_is_still_acknowledged()
    {
        using var store = await _temp.OpenAsync();
        await store.Ledger.RecordAcknowledgedAsync("Observation|s|9", null, _temp.Clock.GetUtcNow(), None);
        var entry = (await store.Ledger.GetLedgerAsync(["Observation|s|9"], None))["Observation|s|9"];
        Assert.True(entry.Acknowledged);
        Assert.Null(entry.ServerId);
    }
}
