using System.Text.Json;

namespace Vitals.Devices.Json;

/// <summary>
/// The <c>time</c> key: an RFC 3339 date-time (the ISO 8601 profile <see cref="IsoDateTime"/> reads), placed on the
/// timeline by the rules shared with the GATT decoder (<see cref="TimePlacement"/>). A time with an offset is taken as
/// sent; one without is read in the gateway's zone and flagged.
/// </summary>
internal static class JsonTime
{
    // Far longer than any ISO 8601 date-time (2026-11-25T08:30:00.1234567+01:00 is 33 characters).
    private const int MaxTimeLength = 64;
    private const string TimeExample = "2026-11-25T08:30:00+01:00";

    public static bool TryPlace(in JsonToken token, DecodeErrorLocation location, DecodeContext context, out PlacedTime time, out DecodeError error)
    {
        time = default;
        if (token.Type != JsonTokenType.String)
        {
            error = new(location, $"expected an ISO 8601 date-time string such as {TimeExample}, got {token.Describe()}");
            return false;
        }
        var text = token.Text!;
        if (token.Utf8Length > MaxTimeLength)
        {
            error = new(location, $"time '{JsonToken.Echo(text)}' is not an ISO 8601 date-time such as {TimeExample}");
            return false;
        }
        switch (IsoDateTime.Parse(text, out var local, out var offset))
        {
            case IsoDateTime.Outcome.DateOnly:
                error = new(location, $"time '{text}' is a date without a time of day; expected an ISO 8601 date-time such as {TimeExample}");
                return false;
            case IsoDateTime.Outcome.Invalid:
                error = new(location, $"time '{JsonToken.Echo(text)}' is not an ISO 8601 date-time such as {TimeExample}");
                return false;
        }

        DateTimeOffset effective;
        TimeQuality quality;
        var failure = TimePlacementFailure.None;
        if (offset is { } sent)
        {
            quality = TimeQuality.DeviceWithOffset;
            if (!TimePlacement.TryWithOffset(local, sent, out effective))
            {
                failure = TimePlacementFailure.OutOfRange;
            }
        }
        else
        {
            // The device clock offset is measured over Bluetooth only; a JSON publisher's time is taken as written.
            quality = TimeQuality.AssumedLocalZone;
            failure = TimePlacement.TryInZone(local, context.LocalZone, TimeSpan.Zero, out effective);
        }
        switch (failure)
        {
            case TimePlacementFailure.None:
                time = new(effective, quality, text);
                error = default;
                return true;
            case TimePlacementFailure.SkippedByDaylightSaving:
                // It cannot be placed on the timeline, so it is rejected rather than guessed (docs/fhir.md, "Time").
                error = new(location, $"time '{text}' has no offset and does not exist in the gateway's time zone {context.LocalZone.Id} (skipped by a daylight-saving change)");
                return false;
            default:
                error = new(location, $"time '{text}' is outside the range of representable times");
                return false;
        }
    }
}
