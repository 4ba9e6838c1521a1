using Vitals.Devices;
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

/// <summary>What the device said about itself (null: nothing), and which parts could not be used.</summary>
internal readonly record struct DeviceInformationReading(DeviceInformation? Information, IReadOnlyList<string> Problems);

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
        var (measured, before, beforeAt, problem) = await MeasureAsync(characteristic, ct).ConfigureAwait(false);
        if (!measured) return new(ClockOutcome.Unusable, default, default, problem);
        // Values received before any write were stamped by the device's clock as it was.
        clock.Set(DateTimeOffset.MinValue, before, beforeAt);
        if (!characteristic.Can(GattCharacteristicProperties.Write))
        {
            return new(ClockOutcome.Measured, before, before, null);
        }
        await characteristic.WriteValueWithResponseAsync(DeviceClock.Format(context.Time.GetUtcNow(), context.Zone), ct).ConfigureAwait(false);
        var written = context.Time.GetUtcNow();
        // Measured again rather than assumed zero: a device may ignore the write or round it.
        (measured, var after, var afterAt, problem) = await MeasureAsync(characteristic, ct).ConfigureAwait(false);
        if (!measured) return new(ClockOutcome.Unusable, default, default, problem);
        clock.Set(written, after, afterAt);
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

    /// <summary>
    /// What the device says about itself: its Device Information Service 0x180A (Manufacturer Name 0x2A29, Model
    /// Number 0x2A24, Serial Number 0x2A25, Firmware Revision 0x2A26, System ID 0x2A23; DIS 1.1, every one optional)
    /// and the battery level the stack shows. Read on each connection: firmware changes with an update, the battery
    /// always. A part that is absent, unreadable or malformed is left out (null) and named in
    /// <see cref="DeviceInformationReading.Problems"/>; a device without DIS is normal. Null when nothing was learnt.
    /// </summary>
    public async Task<DeviceInformationReading> ReadDeviceInformationAsync(BluetoothDevice device, CancellationToken ct)
    {
        var problems = new List<string>();
        var service = await device.Gatt.GetPrimaryServiceAsync(GattUuids.DeviceInformationService, ct).ConfigureAwait(false);
        string? manufacturer = null, model = null, serial = null, firmware = null, systemId = null;
        if (service is not null)
        {
            manufacturer = await ReadTextAsync(service, GattUuids.ManufacturerName, problems, ct).ConfigureAwait(false);
            model = await ReadTextAsync(service, GattUuids.ModelNumber, problems, ct).ConfigureAwait(false);
            serial = await ReadTextAsync(service, GattUuids.SerialNumber, problems, ct).ConfigureAwait(false);
            firmware = await ReadTextAsync(service, GattUuids.FirmwareRevision, problems, ct).ConfigureAwait(false);
            var value = await ReadValueAsync(service, GattUuids.SystemId, problems, ct).ConfigureAwait(false);
            if (value is not null)
            {
                if (SystemId.TryParse(value, out var id)) systemId = id.ToString();
                else problems.Add($"0x2A23 is not an EUI-64 ({value.Length} byte(s), or all zero)");
            }
        }
        var information = new DeviceInformation
        {
            Manufacturer = manufacturer,
            Model = model,
            Serial = serial,
            Firmware = firmware,
            SystemId = systemId,
            BatteryPercent = device.BatteryPercent,
        };
        return new(information.IsEmpty ? null : information, problems);
    }

    private static async Task<string?> ReadTextAsync(GattService service, ushort uuid, List<string> problems, CancellationToken ct)
    {
        var value = await ReadValueAsync(service, uuid, problems, ct).ConfigureAwait(false);
        if (value is null) return null;
        if (DeviceInformationText.TryParse(value, out var text)) return text;
        problems.Add($"0x{uuid:X4} is not usable text (not UTF-8, empty, control characters or over {DeviceInformationText.MaxLength} characters)");
        return null;
    }

    private static async Task<byte[]?> ReadValueAsync(GattService service, ushort uuid, List<string> problems, CancellationToken ct)
    {
        var characteristic = await service.GetCharacteristicAsync(uuid, ct).ConfigureAwait(false);
        if (characteristic is null || !characteristic.Can(GattCharacteristicProperties.Read)) return null;
        try
        {
            return await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A device may protect a characteristic (insufficient authentication); the rest is still worth having.
            problems.Add($"0x{uuid:X4} unreadable: {e.Message}");
            return null;
        }
    }

    private async Task<(bool Measured, TimeSpan Offset, DateTimeOffset At, string? Problem)> MeasureAsync(GattCharacteristic characteristic, CancellationToken ct)
    {
        var start = context.Time.GetUtcNow();
        var value = await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
        var end = context.Time.GetUtcNow();
        // The device produced the value somewhere during the read: its middle is the best guess.
        var at = start + (end - start) / 2;
        return DeviceClock.TryMeasureOffset(value, at, context.Zone, out var offset, out var error)
            ? (true, offset, at, null)
            : (false, default, at, error.ToString());
    }
}
