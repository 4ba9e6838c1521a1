namespace Vitals.Devices;

/// <summary>Where a device's time stamp put a measurement: the instant, how much to trust it, and the stamp as sent.</summary>
public readonly record struct PlacedTime(DateTimeOffset Effective, TimeQuality Quality, string? DeviceTime)
{
    /// <summary>The device sent no usable time: the gateway's receipt time, flagged as such.</summary>
    public static PlacedTime Receipt(DecodeContext context) => new(context.ReceivedAt, TimeQuality.ReceiptTime, null);
}

/// <summary>Why a device's time could not be placed on the timeline; each decoder words it for its own input.</summary>
public enum TimePlacementFailure
{
    None,

    /// <summary>The instant is before year 1 or after year 9999 in UTC.</summary>
    OutOfRange,

    /// <summary>The wall-clock time was skipped by a daylight-saving change in the zone: it never happened there.</summary>
    SkippedByDaylightSaving,

    /// <summary>Moving the time by the device clock's measured offset leaves the representable range.</summary>
    CorrectedOutOfRange,
}

/// <summary>
/// The one set of rules that puts a device's time stamp on the timeline, shared by the JSON decoder (an RFC 3339 /
/// ISO 8601 date-time, with or without offset) and the GATT decoder (the GATT Specification Supplement's Date Time
/// 0x2A08, a device-local wall clock without zone, and the GHS time stamp). Whether the time is too far
/// ahead of the receipt time is a plausibility rule (<see cref="Plausibility"/>), applied after placement.
/// </summary>
public static class TimePlacement
{
    /// <summary>A time the device sent with its UTC offset; false when the instant is not representable.</summary>
    public static bool TryWithOffset(DateTime local, TimeSpan offset, out DateTimeOffset effective)
    {
        effective = default;
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        effective = new DateTimeOffset(local, offset);
        return true;
    }

    /// <summary>
    /// A wall-clock time without offset, read in the gateway's zone (the reading is then flagged
    /// <see cref="TimeQuality.AssumedLocalZone"/>). <paramref name="deviceClockOffset"/> (how far the device's clock
    /// runs ahead, measured through Current Time 0x2A2B) is taken off first. A time skipped by a daylight-saving change
    /// never happened in the zone and is refused rather than guessed; an ambiguous time (the repeated hour in autumn)
    /// gets the zone's standard offset, as <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> gives it.
    /// </summary>
    public static TimePlacementFailure TryInZone(DateTime local, TimeZoneInfo zone, TimeSpan deviceClockOffset, out DateTimeOffset effective)
    {
        ArgumentNullException.ThrowIfNull(zone);
        effective = default;
        if (deviceClockOffset != TimeSpan.Zero)
        {
            var ticks = local.Ticks - deviceClockOffset.Ticks;
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            {
                return TimePlacementFailure.CorrectedOutOfRange;
            }
            local = new DateTime(ticks, DateTimeKind.Unspecified);
        }
        if (zone.IsInvalidTime(local))
        {
            return TimePlacementFailure.SkippedByDaylightSaving;
        }
        return TryWithOffset(local, zone.GetUtcOffset(local), out effective) ? TimePlacementFailure.None : TimePlacementFailure.OutOfRange;
    }
}
