using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>
/// How far a device's wall clock is off, from its Current Time 0x2A2B value: the device clock has no zone (docs/devices.md),
/// so it is compared with the gateway's clock read in the configured zone (Ingest:TimeZone).
/// </summary>
public static class DeviceClock
{
    /// <summary>
    /// <paramref name="gatewayNow"/> is the gateway's clock when the device produced the value (the middle of the read).
    /// Positive: the device is ahead. Never throws on device input.
    /// </summary>
    public static bool TryMeasureOffset(ReadOnlySpan<byte> currentTime, DateTimeOffset gatewayNow, TimeZoneInfo zone, out TimeSpan offset, out DecodeError error)
    {
        ArgumentNullException.ThrowIfNull(zone);
        offset = TimeSpan.Zero;
        if (!CurrentTime.TryParse(currentTime, out var value, out error))
        {
            error = new("0x2A2B " + error.Where, error.Message);
            return false;
        }
        if (!value.TryGetDateTime(out var device))
        {
            error = new("0x2A2B byte 0", $"the device clock {value.DateTime} is not set (unknown or impossible date)");
            return false;
        }
        var gatewayLocal = TimeZoneInfo.ConvertTime(gatewayNow, zone).DateTime;
        offset = device - gatewayLocal;
        return true;
    }

    /// <summary>The 0x2A2B value that sets a device clock to <paramref name="gatewayNow"/> in <paramref name="zone"/>.</summary>
    public static byte[] Format(DateTimeOffset gatewayNow, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(gatewayNow, zone).DateTime;
        var buffer = new byte[CurrentTime.Length];
        if (!CurrentTime.From(local, CurrentTime.ExternalReferenceTimeUpdate).TryFormat(buffer, out _))
        {
            throw new InvalidOperationException($"{local:O} cannot be expressed as a Current Time value");
        }
        return buffer;
    }
}
