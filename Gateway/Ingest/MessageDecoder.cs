using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Devices.Json;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// Turns an incoming message into a <see cref="Reading"/> or a <see cref="DecodeError"/>. The one code path shared by
/// the worker and the <c>decode</c> CLI, so that the debugger shows exactly what the gateway would do. Stateless and
/// thread-safe; it does not log: whoever records the rejection logs it once (design.md, "Bad input").
/// </summary>
public sealed class MessageDecoder
{
    private readonly int _maxPayloadBytes;
    private readonly TimeZoneInfo _localZone;
    private readonly PlausibilityLimits _limits;

    public MessageDecoder(IOptions<IngestOptions> options)
    {
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

    /// <summary>Size first (nothing else is looked at in an oversize payload), then the topic, then the payload.</summary>
    public bool TryDecode(IncomingMessage message, [NotNullWhen(true)] out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!FitsSizeLimit(message.Payload.Length, out error)
            || !VitalsTopic.TryParse(message.Topic, out var topic, out error))
        {
            return false;
        }
        if (topic.IsGatt)
        {
            // Stateless on purpose: a GHS record split over several notifications is refused with a reason (see
            // GattReadingDecoder); a BLE bridge publishes whole records. The MQTT path thereby keeps no per-device state.
            return GattReadingDecoder.TryDecode(topic.DeviceId, topic.GattUuid, message.Payload.Span,
                Context(message.ReceivedAt, message.DeviceClockOffset), out reading, out error,
                message.FallbackTemperatureType);
        }
        return JsonReadingDecoder.TryDecode(topic.DeviceId, topic.Kind.Value, message.Payload.Span, Context(message.ReceivedAt), out reading, out error);
    }

    /// <summary>
    /// Decodes a JSON payload as if it had arrived on <c>vitals/{deviceId}/{kind}</c> at <paramref name="receivedAt"/>:
    /// the same size limit, device-id rule, zone and plausibility limits as <see cref="TryDecode(IncomingMessage, out Reading?, out DecodeError)"/>.
    /// </summary>
    public bool TryDecodeJson(string deviceId, VitalKind kind, ReadOnlySpan<byte> json, DateTimeOffset receivedAt,
        [NotNullWhen(true)] out Reading? reading, out DecodeError error)
    {
        reading = null;
        if (!FitsSizeLimit(json.Length, out error))
        {
            return false;
        }
        if (!VitalsTopic.IsValidDeviceId(deviceId))
        {
            error = new("device id", $"device id '{DeviceText.Echo(deviceId)}' does not match [A-Za-z0-9._:-]{{1,64}}");
            return false;
        }
        return JsonReadingDecoder.TryDecode(deviceId, kind, json, Context(receivedAt), out reading, out error);
    }

    private bool FitsSizeLimit(int length, out DecodeError error)
    {
        if (length > _maxPayloadBytes)
        {
            error = new("payload", string.Create(CultureInfo.InvariantCulture, $"payload is {length} bytes; the limit is {_maxPayloadBytes}"));
            return false;
        }
        error = default;
        return true;
    }

    private DecodeContext Context(DateTimeOffset receivedAt, TimeSpan deviceClockOffset = default) =>
        new(receivedAt, _localZone, _limits) { DeviceClockOffset = deviceClockOffset };
}
