using Microsoft.Extensions.Logging.Abstractions;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>Passkeys handed from the CLI to the worker through the store, and their expiry.</summary>
public abstract class StorePairingsTests : IDisposable
{
    private readonly TempStore _temp;

    private protected StorePairingsTests(TempStore temp)
    {
        _temp = temp;
    }

    [Fact]
    public async Task A_passkey_waits_in_the_store_until_removed_and_a_new_one_replaces_it()
    {
        var cli = (await _temp.OpenAsync()).Pairings;
        var worker = (await _temp.OpenAsync()).Pairings; // another process, the same store

        await cli.SetAsync("C0:FF:EE:00:00:01", 123456, DateTimeOffset.UtcNow, CancellationToken.None);
        await cli.SetAsync("C0:FF:EE:00:00:01", 654321, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(654321u, await worker.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None));
        Assert.Null(await worker.GetAsync("C0:FF:EE:00:00:02", CancellationToken.None));
        await worker.RemoveAsync("C0:FF:EE:00:00:01", CancellationToken.None);
        Assert.Null(await cli.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None));
    }

    [Fact]
    public async Task The_sweep_wipes_every_expired_passkey_and_keeps_the_fresh_ones()
    {
        var store = await _temp.OpenAsync();
        await store.Pairings.SetAsync("C0:FF:EE:00:00:01", 111111, _temp.Clock.GetUtcNow(), CancellationToken.None);
        await store.Pairings.SetAsync("C0:FF:EE:00:00:02", 222222, _temp.Clock.GetUtcNow(), CancellationToken.None);
        _temp.Clock.Advance(TimeSpan.FromMinutes(6));
        await store.Pairings.SetAsync("C0:FF:EE:00:00:03", 333333, _temp.Clock.GetUtcNow(), CancellationToken.None);
        _temp.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(2, await store.Pairings.WipeExpiredAsync(CancellationToken.None));
        Assert.Equal(0, await store.Pairings.WipeExpiredAsync(CancellationToken.None));

        Assert.Equal(1, _temp.Sql("SELECT count(*) FROM ble_pending_pairing"));
        Assert.Equal(333333u, await store.Pairings.GetAsync("C0:FF:EE:00:00:03", CancellationToken.None));
    }

    [Fact]
    public async Task The_running_gateway_sweeps_expired_passkeys_every_minute_on_its_clock()
    {
        var store = await _temp.OpenAsync();
        await store.Pairings.SetAsync("C0:FF:EE:00:00:05", 555555, _temp.Clock.GetUtcNow(), CancellationToken.None);
        using var sweeper = new ExpiredPasskeySweeper(store.Pairings, _temp.Clock, NullLogger<ExpiredPasskeySweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);

        _temp.Clock.Advance(TimeSpan.FromMinutes(10));
        _temp.Clock.Advance(ExpiredPasskeySweeper.Interval);

        await Eventually.TrueAsync(() => _temp.Sql("SELECT count(*) FROM ble_pending_pairing") == 0, TimeSpan.FromSeconds(10), "the expired passkey wiped by the sweep");
        await sweeper.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_passkey_expires_ten_minutes_after_it_was_stored_and_is_then_deleted()
    {
        var store = await _temp.OpenAsync();
        await store.Pairings.SetAsync("C0:FF:EE:00:00:07", 123456, _temp.Clock.GetUtcNow(), CancellationToken.None);

        _temp.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Equal(123456u, await store.Pairings.GetAsync("C0:FF:EE:00:00:07", CancellationToken.None));
        _temp.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await store.Pairings.GetAsync("C0:FF:EE:00:00:07", CancellationToken.None));
        Assert.Equal(0, _temp.Sql("SELECT count(*) FROM ble_pending_pairing"));
    }

    public void Dispose() => _temp.Dispose();
}
