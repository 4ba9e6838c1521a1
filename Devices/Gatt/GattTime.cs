using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Where the time stamps of GATT measurements put them: the Date Time of the classic profiles and the GHS time stamp,
/// placed by the rules shared with the JSON path (<see cref="TimePlacement"/>) and worded for a characteristic, at the
/// byte offset of the time stamp.
/// </summary>
internal static class GattTime
{
    /// <summary>
    /// Date Time is the device's local wall clock (docs/devices.md, "Date Time"): read in the gateway's zone and
    /// flagged; none means receipt time. A date the device does not know, or one that does not exist, cannot place
    /// the measurement.
    /// </summary>
    public static bool TryPlace(GattDateTime? stamp, int offset, DecodeContext context, out PlacedTime time, out DecodeError error)
    {
        error = default;
        if (stamp is not { } s)
        {
            time = PlacedTime.Receipt(context);
            return true;
        }
        time = default;
        if (!s.IsKnown)
        {
            error = GattErrors.At(offset, $"the time stamp {s} has an unknown year, month or day (0): the measurement cannot be placed in time");
            return false;
        }
        if (!s.TryGetDateTime(out var local))
        {
            error = GattErrors.At(offset, $"the time stamp {s} is not a calendar date");
            return false;
        }
        return TryInZone(local, s.ToString(), offset, context, out time, out error);
    }

    /// <summary>
    /// A GHS time stamp: a tick counter places a live observation at receipt and refuses a stored one; so is a stored
    /// one stamped on an earlier timeline of a clock not synchronised to a time reference; a UTC or zoned time is taken
    /// as sent; a local one is read in the gateway's zone like a Date Time.
    /// </summary>
    public static bool TryPlaceGhs(GhsTimeStamp? stamp, bool stored, int offset, DecodeContext context, out PlacedTime time, out DecodeError error)
    {
        error = default;
        if (stamp is not { } s || (s.IsTickCounter && !stored))
        {
            // A live observation without a calendar time is happening now.
            time = PlacedTime.Receipt(context);
            return true;
        }
        time = default;
        if (s.IsTickCounter)
        {
            error = GattErrors.At(offset, "a stored observation with a tick-counter time stamp cannot be placed in time (docs/fhir.md: not uploaded as if current)");
            return false;
        }
        if (stored && !s.IsOnCurrentTimeline && !s.IsSynchronised)
        {
            // The clock was set after this record was stamped, and not from a reference: neither the stamp nor the
            // clock's present offset places it (docs/fhir.md "Time": not uploaded as if current).
            error = GattErrors.At(offset, string.Create(CultureInfo.InvariantCulture,
                $"a stored observation from an earlier timeline of the device's clock (time stamp flag b5 clear, sync source {s.SyncSource}: not a time reference) cannot be placed in time"));
            return false;
        }
        if (!s.TryGetTime(out var wall, out var zone))
        {
            error = GattErrors.At(offset, string.Create(CultureInfo.InvariantCulture, $"time stamp {s.Ticks} ticks of {s.Resolution} since 2000 is beyond year 9999"));
            return false;
        }
        if (zone is { } z)
        {
            if (!TimePlacement.TryWithOffset(wall, z, out var effective))
            {
                error = GattErrors.At(offset, $"the time stamp {wall.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)} is outside the range of representable times");
                return false;
            }
            time = new(effective, TimeQuality.DeviceWithOffset, effective.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            return true;
        }
        return TryInZone(wall, wall.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture), offset, context, out time, out error);
    }

    private static bool TryInZone(DateTime local, string deviceTime, int offset, DecodeContext context, out PlacedTime time, out DecodeError error)
    {
        // The device's wall clock runs off by the measured offset: its time stamps are moved onto the gateway's clock.
        var failure = TimePlacement.TryInZone(local, context.LocalZone, context.DeviceClockOffset, out var effective);
        time = failure == TimePlacementFailure.None ? new(effective, TimeQuality.AssumedLocalZone, deviceTime) : default;
        error = failure switch
        {
            TimePlacementFailure.None => default,
            TimePlacementFailure.CorrectedOutOfRange => GattErrors.At(offset, $"the time stamp {deviceTime} corrected by the device clock offset is outside the range of representable times"),
            TimePlacementFailure.SkippedByDaylightSaving => GattErrors.At(offset, $"the time stamp {deviceTime} does not exist in the gateway's time zone {context.LocalZone.Id} (skipped by a daylight-saving change)"),
            _ => GattErrors.At(offset, $"the time stamp {deviceTime} is outside the range of representable times"),
        };
        return failure == TimePlacementFailure.None;
    }
}
