using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Ble.Session;

namespace Vitals.Gateway.Tests.Ingest.Ble.Session;

/// <summary>The Device Information Service read on connection: every part optional, a bad part left out with its reason.</summary>
public sealed class DeviceInformationReaderTests
{
    private const string Address = "C0:FF:EE:00:00:01";

    private readonly DeviceContextReader _reader = new(new BleSessionContext(
        new BleOptions(), null!, null!, new BleDeviceRegistry(), null!, TimeZoneInfo.Utc, TimeProvider.System, NullLogger.Instance));

    [Fact]
    public async Task A_full_Device_Information_Service_and_a_battery_level_give_every_part()
    {
        var device = new FakeBluetooth().Add(Address);
        device.Battery = 87;
        Text(device, GattUuids.ManufacturerName, "Vitals Simulated Devices\0\0");
        Text(device, GattUuids.ModelNumber, "VS-BP330");
        Text(device, GattUuids.SerialNumber, "BP000001");
        Text(device, GattUuids.FirmwareRevision, "2.4.1");
        // DIS 1.1 3.1: the 40-bit manufacturer identifier, then the OUI, each least significant octet first.
        device.AddCharacteristic(GattUuids.DeviceInformationService, GattUuids.SystemId, GattCharacteristicProperties.Read).Value =
            [0x01, 0x00, 0x00, 0xFE, 0xFF, 0xEE, 0xFF, 0xC0];

        var reading = await _reader.ReadDeviceInformationAsync(device, CancellationToken.None);

        Assert.Empty(reading.Problems);
        var information = Assert.IsType<Vitals.Devices.DeviceInformation>(reading.Information);
        Assert.Equal("Vitals Simulated Devices", information.Manufacturer);
        Assert.Equal("VS-BP330", information.Model);
        Assert.Equal("BP000001", information.Serial);
        Assert.Equal("2.4.1", information.Firmware);
        Assert.Equal("C0-FF-EE-FF-FE-00-00-01", information.SystemId);
        Assert.Equal(87, information.BatteryPercent);
    }

    [Fact]
    public async Task A_device_without_the_service_or_a_battery_says_nothing_and_that_is_no_problem()
    {
        var device = new FakeBluetooth().Add(Address);

        var reading = await _reader.ReadDeviceInformationAsync(device, CancellationToken.None);

        Assert.Null(reading.Information);
        Assert.Empty(reading.Problems);
    }

    [Fact]
    public async Task A_malformed_part_is_left_out_with_its_reason_and_the_rest_is_kept()
    {
        var device = new FakeBluetooth().Add(Address);
        Text(device, GattUuids.ModelNumber, "VS-TH120");
        device.AddCharacteristic(GattUuids.DeviceInformationService, GattUuids.SerialNumber, GattCharacteristicProperties.Read).Value = [0xC3, 0x28];
        device.AddCharacteristic(GattUuids.DeviceInformationService, GattUuids.SystemId, GattCharacteristicProperties.Read).Value = [1, 2, 3];

        var reading = await _reader.ReadDeviceInformationAsync(device, CancellationToken.None);

        Assert.Equal("VS-TH120", reading.Information?.Model);
        Assert.Null(reading.Information?.Serial);
        Assert.Null(reading.Information?.SystemId);
        Assert.Collection(reading.Problems,
            p => Assert.StartsWith("0x2A25", p, StringComparison.Ordinal),
            p => Assert.StartsWith("0x2A23", p, StringComparison.Ordinal));
    }

    private static void Text(FakeDevice device, ushort uuid, string text) =>
        device.AddCharacteristic(GattUuids.DeviceInformationService, uuid, GattCharacteristicProperties.Read).Value = Encoding.UTF8.GetBytes(text);
}
