using System.Text;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Devices.Tests.Gatt;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest;

/// <summary>
/// Seeded random input through <see cref="MessageDecoder"/> (docs/architecture.md, "Bad input": nothing crashes the host).
/// Every outcome must be a reading or a located, log-safe error; an exception fails the test with the input.
/// </summary>
public sealed class MessageDecoderFuzzTests
{
    private const int Iterations = 20_000;
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 25, 8, 35, 0, TimeSpan.FromHours(1));

    private static readonly string[] Seeds =
    [
        """{"value": 37.60, "unit": "Cel", "time": "2026-11-25T08:30:00+01:00", "site": "oral", "id": "t-1"}""",
        """{"value": 98.6, "unit": "°F", "time": "2026-11-25T08:30:00", "status": ["questionable"]}""",
        """{"systolic": 128, "diastolic": 82, "mean": 97, "pulse": 64, "unit": "mmHg", "time": "2026-11-25T07:30:00Z", "id": 17}""",
        """{"systolic": 16.0, "diastolic": 10.7, "unit": "kPa", "status": ["cuff-loose", "irregular-pulse"]}""",
        """{"value": 72.40, "unit": "lbs", "extra": {"nested": [1, 2, {"x": null}]}}""",
        """{"value": 16, "unit": "breaths/min"}""",
        """{"value": 72, "unit": "bpm", "time": null}""",
        """{"value": 97.5, "unit": "%", "\u0069d": "esc"}""",
    ];

    private static readonly string[] Topics =
    [
        "vitals/thermo-1/body-temperature", "vitals/cuff-1/blood-pressure", "vitals/scale-1/body-weight",
        "vitals/resp-1/respiratory-rate", "vitals/AA:BB:CC:DD:EE:FF/heart-rate", "vitals/ox-1/oxygen-saturation",
        "vitals/cuff-1/gatt/2a35", "vitals/x/gatt/00002a1c-0000-1000-8000-00805f9b34fb",
    ];

    // Bytes that make up JSON, so that random input gets past the first token often enough to reach deeper code.
    private static readonly byte[] JsonAlphabet = Encoding.UTF8.GetBytes("{}[]\":,.-+0123456789eEtrufalsn \\/u°Cvaluenitmesdyo");

    [Fact]
    public void Random_and_mutated_messages_never_throw()
    {
        var options = new IngestOptions { TimeZone = "Europe/Berlin" };
        var decoder = new MessageDecoder(Options.Create(options));
        var random = new Random(20261125);
        var seeds = Seeds.Select(Encoding.UTF8.GetBytes).ToArray();
        var decoded = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var payload = (i % 4) switch
            {
                0 => RandomBytes(random),
                1 => RandomJsonish(random),
                _ => Mutate(random, seeds),
            };
            var topic = random.Next(20) == 0 ? MutateTopic(random, Topics[random.Next(Topics.Length)]) : Topics[random.Next(Topics.Length)];

            bool ok;
            Reading? reading;
            DecodeError error;
            try
            {
                ok = decoder.TryDecodePublish(topic, payload, ReceivedAt, out reading, out error);
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {i}: {e.GetType().Name} for topic '{topic}' payload {Convert.ToHexString(payload)}: {e}");
                return;
            }

            if (ok)
            {
                decoded++;
                Assert.NotNull(reading);
                Assert.True(VitalsTopic.TryParse(topic, out var parsed, out _));
                Assert.Equal(parsed!.Kind, reading.Kind);
            }
            else
            {
                Assert.Null(reading);
                Assert.False(string.IsNullOrEmpty(error.Where), $"iteration {i}: error without a location: {error}");
                Assert.False(string.IsNullOrEmpty(error.Message), $"iteration {i}: error without a message at {error.Where}");
                // The reason is logged and stored: a publisher must not be able to inject line breaks or escapes.
                Assert.False(error.ToString().Any(char.IsControl), $"iteration {i}: control character in '{error}'");
            }
        }

        // The mutations must leave some payloads intact enough to decode, or the decoder's deeper paths went untested.
        Assert.InRange(decoded, Iterations / 100, Iterations - 1);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 80)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] RandomJsonish(Random random)
    {
        var bytes = new byte[random.Next(1, 80)];
        bytes[0] = (byte)'{';
        for (var i = 1; i < bytes.Length; i++)
        {
            bytes[i] = JsonAlphabet[random.Next(JsonAlphabet.Length)];
        }
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[][] seeds)
    {
        var bytes = new List<byte>(seeds[random.Next(seeds.Length)]);
        var mutations = random.Next(0, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] = JsonAlphabet[random.Next(JsonAlphabet.Length)]; break;
                case 2: bytes.Insert(at, JsonAlphabet[random.Next(JsonAlphabet.Length)]); break;
                case 3: bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at)); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                case 5:
                    var length = Math.Min(random.Next(1, 16), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    var other = seeds[random.Next(seeds.Length)];
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, Math.Min(random.Next(1, 24), other.Length - from)).ToArray());
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static string MutateTopic(Random random, string topic)
    {
        var chars = topic.ToCharArray();
        chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
        return new string(chars);
    }

    [Fact]
    public void Mutated_gatt_vectors_never_throw()
    {
        var random = new Random(11);
        var decoder = new MessageDecoder(Options.Create(new IngestOptions { TimeZone = "Europe/Berlin" }));
        var vectors = GattVectors.All.Select(v => (Uuid: GattVectors.Uuid(v), Bytes: GattVectors.Bytes(v))).ToList();
        for (var i = 0; i < 20_000; i++)
        {
            var (uuid, original) = vectors[random.Next(vectors.Count)];
            if (!decoder.TryDecodePublish($"vitals/fuzz-1/gatt/{uuid}", GattVectors.Mutate(random, original), DateTimeOffset.UnixEpoch.AddYears(57), out _, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
        }
    }
}
