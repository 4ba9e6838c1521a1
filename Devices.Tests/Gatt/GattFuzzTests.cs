using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

/// <summary>
/// Random byte strings and mutations of the valid vectors through every characteristic decoder and GattReadingDecoder:
/// no exception, and every refusal names the characteristic and says what is wrong (Gateway.Tests runs the mutations
/// through MessageDecoder too).
/// </summary>
public sealed class GattFuzzTests
{
    private static readonly string[] Uuids = ["2a1c", "2a1d", "2a35", "2a36", "2a9d", "2a37", "2a5e", "2b8b", "2bdd", "2a99"];

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20261125);
        var context = DecodeContext.At(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        for (var i = 0; i < 200_000; i++)
        {
            var data = new byte[random.Next(0, 48)];
            random.NextBytes(data);
            // Flags bytes that announce few fields make longer, deeper parses likely.
            if (data.Length > 0 && random.Next(2) == 0) data[0] &= 0x1F;
            ParseEverything(data, context);
        }
    }

    [Fact]
    public void Mutated_vectors_never_throw()
    {
        var random = new Random(7);
        var vectors = GattVectors.All.Where(GattVectors.IsAccepted).Select(v => (Uuid: GattVectors.Uuid(v), Bytes: GattVectors.Bytes(v))).ToList();
        var context = DecodeContext.At(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        for (var i = 0; i < 100_000; i++)
        {
            var (uuid, original) = vectors[random.Next(vectors.Count)];
            var data = GattVectors.Mutate(random, original);
            ParseEverything(data, context);
            if (!GattReadingDecoder.TryDecode("fuzz", uuid, data, context, out var reading, out var error))
            {
                Assert.Null(reading);
                Assert.StartsWith("0x" + uuid.ToUpperInvariant(), error.Where, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
        }
    }

    private static void ParseEverything(byte[] data, DecodeContext context)
    {
        TemperatureMeasurement.TryParse(data, out _, out _);
        TemperatureType.TryParse(data, out _, out _);
        BloodPressureMeasurement.TryParse(data, out _, out _);
        IntermediateCuffPressure.TryParse(data, out _, out _);
        WeightMeasurement.TryParse(data, out _, out _);
        HeartRateMeasurement.TryParse(data, out _, out _);
        PlxSpotCheckMeasurement.TryParse(data, out _, out _);
        GattDateTime.TryParse(data, out _, out _);
        GhsTimeStamp.TryParse(data, out _, out _);
        GhsSegment.TryParse(data, out _, out _);
        GhsObservation.TryParse(data, stored: false, out _, out _);
        GhsObservation.TryParse(data, stored: true, out _, out _);
        var assembler = new GhsSegmentAssembler(64);
        assembler.Feed(data, out _, out _);
        assembler.Feed(data, out _, out _);
        foreach (var uuid in Uuids)
        {
            GattReadingDecoder.TryDecode("fuzz", uuid, data, context, out _, out _);
        }
        if (data.Length >= 4)
        {
            Sfloat.TryDecode(BitConverter.ToUInt16(data), out _);
            Float32.TryDecode(BitConverter.ToUInt32(data), out _);
        }
    }
}
