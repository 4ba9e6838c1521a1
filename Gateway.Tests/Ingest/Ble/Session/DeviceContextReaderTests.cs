using Microsoft.Extensions.Logging.Abstractions;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Ble.Session;

namespace Vitals.Gateway.Tests.Ingest.Ble.Session;

/// <summary>What a device does to its context (lacks Current Time, sends a clock that is not set) is a result, not an exception.</summary>
public sealed class DeviceContextReaderTests
{
    private const string Address = "C0:FF:EE:00:00:01";

    private readonly DeviceContextReader _reader = new(new BleSessionContext(
        new BleOptions(), null!, null!, new BleDeviceRegistry(), null!, TimeZoneInfo.Utc, TimeProvider.System, NullLogger.Instance));

    [Fact]
    public async Task A_device_without_Current_Time_is_absent_and_its_offset_zero()
    {
        var device = new FakeBluetooth().Add(Address);
        var clock = new ConnectionClock();

        var reading = await _reader.ReadClockAsync(device, clock, CancellationToken.None);

        Assert.Equal(ClockOutcome.Absent, reading.Outcome);
        Assert.Equal(TimeSpan.Zero, clock.OffsetAt(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_clock_that_is_not_set_is_unusable_with_the_reason()
    {
        var device = new FakeBluetooth().Add(Address);
        var currentTime = device.AddCharacteristic(GattUuids.CurrentTimeService, GattUuids.CurrentTime, GattCharacteristicProperties.Read);
        currentTime.Value = new byte[CurrentTime.Length]; // year 0, month 0: "unknown"

        var reading = await _reader.ReadClockAsync(device, new ConnectionClock(), CancellationToken.None);

        Assert.Equal(ClockOutcome.Unusable, reading.Outcome);
        Assert.StartsWith("0x2A2B", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writable_clock_is_set_and_measured_again()
    {
        var device = new FakeBluetooth().Add(Address);
        var currentTime = device.AddCharacteristic(GattUuids.CurrentTimeService, GattUuids.CurrentTime, GattCharacteristicProperties.Read | GattCharacteristicProperties.Write);
        currentTime.Value = DeviceClock.Format(DateTimeOffset.UtcNow.AddMinutes(-30), TimeZoneInfo.Utc);
        currentTime.OnWrite = value => currentTime.Value = value;

        var reading = await _reader.ReadClockAsync(device, new ConnectionClock(), CancellationToken.None);

        Assert.Equal(ClockOutcome.Set, reading.Outcome);
        Assert.InRange(reading.Before.TotalMinutes, -30.1, -29.9);
        Assert.InRange(reading.Offset.TotalSeconds, -2, 2);
    }

    [Fact]
    public async Task An_unparsable_Temperature_Type_is_a_problem_naming_the_characteristic()
    {
        var device = new FakeBluetooth().Add(Address);
        device.AddCharacteristic(GattUuids.HealthThermometerService, GattUuids.TemperatureType, GattCharacteristicProperties.Read).Value = [];

        var reading = await _reader.ReadTemperatureTypeAsync(device, CancellationToken.None);

        Assert.Null(reading.Type);
        Assert.StartsWith("0x2A1D", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thermometer_without_Temperature_Type_has_neither_type_nor_problem()
    {
        var device = new FakeBluetooth().Add(Address);

        var reading = await _reader.ReadTemperatureTypeAsync(device, CancellationToken.None);

        Assert.Equal(new TemperatureTypeReading(null, null), reading);
    }
}
