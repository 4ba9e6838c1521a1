using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>How a connection's Current Time step ended.</summary>
internal enum ClockOutcome
{
    /// <summary>No readable Current Time 0x2A2B: device times are taken as they are, in the configured zone.</summary>
    Absent,

    /// <summary>Read only: <see cref="ClockReading.Offset"/> is how far the device is off.</summary>
    Measured,

    /// <summary>Written: <see cref="ClockReading.Offset"/> is what is left after the write, measured again.</summary>
    Set,

    /// <summary>The device's value could not be used (<see cref="ClockReading.Problem"/>).</summary>
    Unusable,
}

/// <param name="Before">For <see cref="ClockOutcome.Set"/>: how far off the device was before the write.</param>
internal readonly record struct ClockReading(ClockOutcome Outcome, TimeSpan Offset, TimeSpan Before, string? Problem);

/// <summary>The thermometer's Temperature Type 0x2A1D: a type, nothing (absent), or why it is unusable.</summary>
internal readonly record struct TemperatureTypeReading(TemperatureType? Type, string? Problem);

/// <summary>
/// Reads what a connection needs to know of the device before its values are decoded: its clock (Current Time
/// Service) and its thermometer's site (Temperature Type). What a device does (lacks a characteristic, sends a value
/// that does not parse) is a result the session switches on; only bugs throw.
/// </summary>
internal sealed class DeviceContextReader(BleSessionContext context)
{
    /// <summary>
    /// Measures the device clock's offset and, where Current Time is writable, sets it to the gateway's time and
    /// measures again. Offsets go into <paramref name="clock"/> by the time they apply from. A failing GATT call
    /// (D-Bus error, link loss) is not device context: it propagates and ends the connection attempt.
    /// </summary>
    public async Task<ClockReading> ReadClockAsync(BluetoothDevice device, ConnectionClock clock, CancellationToken ct)
    {
        var characteristic = await GattLookup.FindAsync(device, GattUuids.CurrentTimeService, GattUuids.CurrentTime, ct).ConfigureAwait(false);
        if (characteristic is null || !characteristic.Can(GattCharacteristicProperties.Read))
        {
            return new(ClockOutcome.Absent, default, default, null);
        }
        var (measured, before, problem) = await MeasureAsync(characteristic, ct).ConfigureAwait(false);
        if (!measured) return new(ClockOutcome.Unusable, default, default, problem);
        // Values received before any write were stamped by the device's clock as it was.
        clock.Set(DateTimeOffset.MinValue, before);
        if (!characteristic.Can(GattCharacteristicProperties.Write))
        {
            return new(ClockOutcome.Measured, before, before, null);
        }
        await characteristic.WriteValueWithResponseAsync(DeviceClock.Format(context.Time.GetUtcNow(), context.Zone), ct).ConfigureAwait(false);
        var written = context.Time.GetUtcNow();
        // Measured again rather than assumed zero: a device may ignore the write or round it.
        (measured, var after, problem) = await MeasureAsync(characteristic, ct).ConfigureAwait(false);
        if (!measured) return new(ClockOutcome.Unusable, default, default, problem);
        clock.Set(written, after);
        return new(ClockOutcome.Set, after, before, null);
    }

    /// <summary>
    /// Read on each connection: a thermometer may be reconfigured between them. A failing read is the device's
    /// business here (the type only refines the site), so it is a result, unlike Current Time.
    /// </summary>
    public async Task<TemperatureTypeReading> ReadTemperatureTypeAsync(BluetoothDevice device, CancellationToken ct)
    {
        var characteristic = await GattLookup.FindAsync(device, GattUuids.HealthThermometerService, GattUuids.TemperatureType, ct).ConfigureAwait(false);
        if (characteristic is null || !characteristic.Can(GattCharacteristicProperties.Read))
        {
            return new(null, null);
        }
        byte[] value;
        try
        {
            value = await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new(null, e.Message);
        }
        return TemperatureType.TryParse(value, out var type, out var error)
            ? new(type, null)
            : new(null, $"0x2A1D {error}");
    }

    /// <summary>
    /// The scale's Weight Scale Feature 0x2A9E (Weight Scale Service 1.0: mandatory, read-only), read on each
    /// connection: its resolutions give the decimals of the weights. Absent, unreadable or malformed: null, and
    /// weights keep the characteristic's own step (the value only refines precision, it never blocks a reading).
    /// </summary>
    public async Task<WeightScaleFeature?> ReadWeightScaleFeatureAsync(BluetoothDevice device, CancellationToken ct)
    {
        var characteristic = await GattLookup.FindAsync(device, GattUuids.WeightScaleService, GattUuids.WeightScaleFeature, ct).ConfigureAwait(false);
        if (characteristic is null || !characteristic.Can(GattCharacteristicProperties.Read))
        {
            return null;
        }
        try
        {
            var value = await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
            return WeightScaleFeature.TryParse(value, out var feature, out _) ? feature : null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<(bool Measured, TimeSpan Offset, string? Problem)> MeasureAsync(GattCharacteristic characteristic, CancellationToken ct)
    {
        var start = context.Time.GetUtcNow();
        var value = await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
        var end = context.Time.GetUtcNow();
        // The device produced the value somewhere during the read: its middle is the best guess.
        var at = start + (end - start) / 2;
        return DeviceClock.TryMeasureOffset(value, at, context.Zone, out var offset, out var error)
            ? (true, offset, null)
            : (false, default, error.ToString());
    }
}
