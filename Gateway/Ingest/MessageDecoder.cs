using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Devices.Json;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// Turns an <see cref="IngestMessage"/> into a <see cref="Reading"/> or a <see cref="DecodeError"/>. The one code path
/// shared by the worker and the <c>decode</c> CLI, so that the debugger shows exactly what the gateway would do.
/// Stateless and thread-safe; it does not log: whoever records the rejection logs it once.
/// </summary>
public sealed class MessageDecoder
{
    private readonly int _maxPayloadBytes;
    private readonly TimeZoneInfo _localZone;
    private readonly PlausibilityLimits _limits;
    private readonly ReadingAdmission _admission;

    /// <param name="admission">Which readings may become Observations (invalid, test data); null: the defaults.</param>
    public MessageDecoder(IOptions<IngestOptions> options, ReadingAdmission? admission = null)
    {
        _admission = admission ?? ReadingAdmission.Default;
        var value = options.Value;
        if (!value.TryGetTimeZone(out var zone))
        {
            // IngestOptionsValidator rejects this at start-up; reaching it means the options were not validated.
            throw new InvalidOperationException($"{IngestOptions.SectionName}:{nameof(IngestOptions.TimeZone)} '{value.TimeZone}' is not a known time zone");
        }
        _maxPayloadBytes = value.MaxPayloadBytes;
        _localZone = zone;
        _limits = value.Plausibility;
    }

    /// <summary>
    /// Size first (nothing else is looked at in an oversize payload), then the payload in its format, then whether the
    /// reading may be delivered at all (<see cref="ReadingAdmission"/>: a refused one is kept as rejected, with why).
    /// </summary>
    public bool TryDecode(IngestMessage message, [NotNullWhen(true)] out Reading? reading, out DecodeError error) =>
        TryDecode(message, out reading, out _, out error);

    /// <summary>As above, and what a JSON payload's optional <c>device</c> object says about the publisher (null: nothing).</summary>
    public bool TryDecode(IngestMessage message, [NotNullWhen(true)] out Reading? reading, out DeviceInformation? device, out DecodeError error)
    {
        device = null;
        if (!TryDecodePayload(message, out reading, out device, out error))
        {
            return false;
        }
        if (_admission.TryAdmit(reading, out error))
        {
            return true;
        }
        reading = null;
        device = null;
        return false;
    }

    private bool TryDecodePayload(IngestMessage message, [NotNullWhen(true)] out Reading? reading, out DeviceInformation? device, out DecodeError error)
    {
        reading = null;
        device = null;
        if (!FitsSizeLimit(message.Payload.Length, out error)) return false;

        var context = new DecodeContext(message.ReceivedAt, _localZone, _limits)
        {
            DeviceClockOffset = message.Context.ClockOffset,
            DeviceClockMeasuredAt = message.Context.ClockMeasuredAt,
            WeightFeature = message.Context.WeightFeature,
        };
        var format = message.Format;
        if (!format.IsGatt)
            return JsonReadingDecoder.TryDecode(message.DeviceId, format.JsonKind.Value, message.Payload.Span, context, out reading, out device, out error);

        // Stateless on purpose: a GHS record split over several notifications is refused with a reason (see
        // GattReadingDecoder); a BLE bridge publishes whole records, and a Bluetooth session reassembles them first.
        var uuid = format.GattCharacteristic.Value.ToString("x4", CultureInfo.InvariantCulture);
        return GattReadingDecoder.TryDecode(message.DeviceId, uuid, message.Payload.Span, context, out reading, out error,
            message.Context.TemperatureType);
    }

    /// <summary>The size limit (<c>Ingest:MaxPayloadBytes</c>): the first rule, for rejections a source made itself too.</summary>
    public bool FitsSizeLimit(int length, out DecodeError error)
    {
        if (length > _maxPayloadBytes)
        {
            error = new("payload", string.Create(CultureInfo.InvariantCulture, $"payload is {length} bytes; the limit is {_maxPayloadBytes}"));
            return false;
        }
        error = default;
        return true;
    }
}
