using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Devices.Json;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The stream of messages of a whole fleet: devices take turns (so a total rate is spread evenly over them) and a
/// seeded fraction of the messages is malformed, of a kind that applies to the device. Deterministic for a seed and the
/// sequence of clock values passed in. Not thread-safe: one dispatcher draws from it.
/// </summary>
public sealed class SimulatedMessageSource
{
    private readonly DevicePayloadGenerator[] _generators;
    private readonly Random _random;
    private readonly double _malformedFraction;
    private readonly bool _gatt;
    private readonly Dictionary<MalformedKind, long> _malformedCounts = [];
    private long _next;

    /// <param name="gatt">publish good readings as raw GATT characteristic values (vitals/{id}/gatt/{uuid}), as a
    /// BLE-to-MQTT bridge would; malformed messages stay JSON</param>
    public SimulatedMessageSource(IReadOnlyList<SimulatedDevice> devices, int seed, double malformedFraction, bool gatt = false)
    {
        _gatt = gatt;
        ArgumentOutOfRangeException.ThrowIfZero(devices.Count);
        if (malformedFraction is < 0 or > 1 || double.IsNaN(malformedFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(malformedFraction), malformedFraction, "must be within 0..1");
        }
        _generators = devices.Select(d => new DevicePayloadGenerator(d, seed)).ToArray();
        // Its own stream, apart from the devices': which messages are malformed depends only on the seed.
        _random = new Random(unchecked(seed * 31 + 17));
        _malformedFraction = malformedFraction;
    }

    public IReadOnlyList<DevicePayloadGenerator> Generators => _generators;

    /// <summary>How many malformed messages of each kind were produced so far.</summary>
    public IReadOnlyDictionary<MalformedKind, long> MalformedCounts => _malformedCounts;

    public long MalformedTotal => _malformedCounts.Values.Sum();

    public SimulatedMessage Next(DateTimeOffset now)
    {
        var generator = _generators[_next++ % _generators.Length];
        if (_malformedFraction > 0 && _random.NextDouble() < _malformedFraction)
        {
            var kinds = DevicePayloadGenerator.MalformedKindsFor(generator.Device.Kind);
            var kind = kinds[_random.Next(kinds.Count)];
            _malformedCounts[kind] = _malformedCounts.GetValueOrDefault(kind) + 1;
            return generator.NextMalformed(now, kind);
        }
        var message = generator.NextReading(now);
        return _gatt ? AsGatt(message, now) : message;
    }

    // The same reading, said the way a BLE device says it: decoded from the JSON the generator wrote, then formatted
    // as the characteristic value.
    private static SimulatedMessage AsGatt(SimulatedMessage json, DateTimeOffset now)
    {
        if (!JsonReadingDecoder.TryDecode(json.Device.Id, json.Device.Kind, json.Payload, DecodeContext.At(now), out var reading, out var error)
            // Device clocks have no zone: the time stamp is this machine's wall clock (the gateway reads it in
            // Ingest:TimeZone, by default the same machine's).
            || !GattReadingEncoder.TryEncode(reading, TimeZoneInfo.Local, out var uuid, out var value))
        {
            throw new InvalidOperationException($"a generated reading of {json.Device.Id} has no GATT form: {error}");
        }
        return json with { Topic = $"vitals/{json.Device.Id}/gatt/{GattUuids.ToShort(uuid)}", Payload = value };
    }
}
