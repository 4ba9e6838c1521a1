using Vitals.Devices;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>What devices say about themselves, kept per device; and the installation's generated gateway id.</summary>
public abstract class StoreDeviceInformationTests : IDisposable
{
    private readonly TempStore _temp;

    private protected StoreDeviceInformationTests(TempStore temp)
    {
        _temp = temp;
    }

    [Fact]
    public async Task A_device_record_keeps_what_a_later_report_leaves_out_and_takes_what_it_changes()
    {
        var store = await _temp.OpenAsync();
        var first = _temp.Clock.GetUtcNow();
        await store.DeviceInformation.SaveAsync("C0:FF:EE:00:00:01", new DeviceInformation
        {
            Manufacturer = "Vitals Simulated Devices", Model = "VS-BP330", Serial = "BP000001", Firmware = "2.4.1",
            SystemId = "C0-FF-EE-FF-FE-00-00-01", BatteryPercent = 99,
        }, first, CancellationToken.None);
        _temp.Clock.Advance(TimeSpan.FromMinutes(5));
        await store.DeviceInformation.SaveAsync("C0:FF:EE:00:00:01", new DeviceInformation { Firmware = "2.5.0", BatteryPercent = 97 },
            _temp.Clock.GetUtcNow(), CancellationToken.None);

        var record = await (await _temp.OpenAsync()).DeviceInformation.GetAsync("C0:FF:EE:00:00:01", CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal(new DeviceInformation
        {
            Manufacturer = "Vitals Simulated Devices", Model = "VS-BP330", Serial = "BP000001", Firmware = "2.5.0",
            SystemId = "C0-FF-EE-FF-FE-00-00-01", BatteryPercent = 97,
        }, record.Information);
        Assert.Equal(first + TimeSpan.FromMinutes(5), record.UpdatedAt);
        Assert.Null(await store.DeviceInformation.GetAsync("C0:FF:EE:00:00:02", CancellationToken.None));
    }

    [Fact]
    public async Task Devices_are_listed_by_id_each_with_its_own_record()
    {
        var store = await _temp.OpenAsync();
        await store.DeviceInformation.SaveAsync("scale-2", new DeviceInformation { Model = "WS-2" }, _temp.Clock.GetUtcNow(), CancellationToken.None);
        await store.DeviceInformation.SaveAsync("cuff-1", new DeviceInformation { Manufacturer = "Acme" }, _temp.Clock.GetUtcNow(), CancellationToken.None);

        var all = await store.DeviceInformation.ListAsync(CancellationToken.None);

        Assert.Equal(["cuff-1", "scale-2"], all.Select(r => r.DeviceId));
        Assert.Equal("Acme", all[0].Information.Manufacturer);
        Assert.Null(all[0].Information.Model);
        Assert.Equal("WS-2", all[1].Information.Model);
    }

    [Fact]
    public async Task The_gateway_id_is_made_once_per_store_and_differs_between_stores()
    {
        var id = await (await _temp.OpenAsync()).GatewayIdentity.GetOrCreateAsync(CancellationToken.None);
        var again = await (await _temp.OpenAsync()).GatewayIdentity.GetOrCreateAsync(CancellationToken.None);
        using var other = new TempStore();
        var elsewhere = await (await other.OpenAsync()).GatewayIdentity.GetOrCreateAsync(CancellationToken.None);

        Assert.Matches("^[0-9A-F]{2}(-[0-9A-F]{2}){7}$", id);
        Assert.Equal(id, again);
        Assert.NotEqual(id, elsewhere);
        // Locally administered, individual (IEEE EUI-64 guidelines): the U/L bit set, the I/G bit clear.
        var first = Convert.ToByte(id[..2], 16);
        Assert.Equal(0x02, first & 0x03);
    }

    public void Dispose() => _temp.Dispose();
}
