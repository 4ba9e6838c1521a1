using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Ingest.Ble;

public sealed class BlePairingStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "vg-ble-pairing-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_passkey_waits_in_the_store_file_until_removed_and_a_new_one_replaces_it()
    {
        var options = Options.Create(new StorageOptions { Path = Path.Combine(_directory, "gateway.db") });
        var cli = new BlePairingStore(options);
        var worker = new BlePairingStore(options); // another process, the same file

        await cli.SetAsync("C0:FF:EE:00:00:01", 123456, DateTimeOffset.UtcNow, CancellationToken.None);
        await cli.SetAsync("C0:FF:EE:00:00:01", 654321, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(654321u, await worker.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None));
        Assert.Null(await worker.GetAsync("C0:FF:EE:00:00:02", CancellationToken.None));
        await worker.RemoveAsync("C0:FF:EE:00:00:01", CancellationToken.None);
        Assert.Null(await cli.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None));
    }

    [Theory]
    [InlineData("123456", true, 123456u)]
    [InlineData("000042", true, 42u)]
    [InlineData("12345", false, 0u)]
    [InlineData("1234567", false, 0u)]
    [InlineData("12a456", false, 0u)]
    [InlineData("-12345", false, 0u)]
    [InlineData(null, false, 0u)]
    public void A_passkey_is_six_digits(string? text, bool ok, uint value)
    {
        Assert.Equal(ok, BlePairingStore.TryParsePasskey(text, out var passkey));
        Assert.Equal(value, passkey);
    }

    [Theory]
    [InlineData("c0:ff:ee:00:00:01", "C0:FF:EE:00:00:01")]
    [InlineData("C0-FF-EE-00-00-01", "C0:FF:EE:00:00:01")]
    [InlineData(" C0_FF_EE_00_00_01 ", "C0:FF:EE:00:00:01")]
    public void Addresses_are_normalised_to_the_device_id_form(string text, string expected)
    {
        Assert.True(BleAddress.TryNormalize(text, out var address));
        Assert.Equal(expected, address);
        Assert.True(BleAddress.IsAddress(address));
    }

    [Theory]
    [InlineData("C0:FF:EE:00:00")]
    [InlineData("sim-thermometer-0001")]
    [InlineData("C0:FF:EE:00:00:0G")]
    public void Other_device_ids_are_not_addresses(string text)
    {
        Assert.False(BleAddress.TryNormalize(text, out _));
        Assert.False(BleAddress.IsAddress(text));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
