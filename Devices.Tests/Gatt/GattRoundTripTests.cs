using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

/// <summary>
/// TryFormat -> TryParse gives back the same value for a million seeded random readings per characteristic, over the
/// whole field ranges (flags, special values, time stamps).
/// </summary>
public sealed class GattRoundTripTests
{
    private const int Count = 1_000_000;

    private delegate bool Parse<T>(ReadOnlySpan<byte> data, out T value, out Vitals.Devices.DecodeError error);

    [Fact]
    public void Temperature_measurement() => RoundTrip(1, r => new TemperatureMeasurement(
        Float(r), r.Next(2) == 0, Maybe(r, DateTime), r.Next(2) == 0 ? new TemperatureType((byte)r.Next(256)) : null),
        (in TemperatureMeasurement m, Span<byte> d, out int w) => m.TryFormat(d, out w), TemperatureMeasurement.TryParse);

    [Fact]
    public void Blood_pressure_measurement() => RoundTrip(2, r => new BloodPressureMeasurement(
        Short(r), Short(r), Short(r), r.Next(2) == 0, Maybe(r, DateTime), r.Next(2) == 0 ? Short(r) : null,
        r.Next(2) == 0 ? (byte)r.Next(256) : null, r.Next(2) == 0 ? (BloodPressureStatus)r.Next(65536) : null),
        (in BloodPressureMeasurement m, Span<byte> d, out int w) => m.TryFormat(d, out w), BloodPressureMeasurement.TryParse);

    [Fact]
    public void Weight_scale_feature() => RoundTrip(11, r => new WeightScaleFeature(
        r.Next(2) == 0, r.Next(2) == 0, r.Next(2) == 0, (byte)r.Next(16), (byte)r.Next(8)),
        (in WeightScaleFeature m, Span<byte> d, out int w) => m.TryFormat(d, out w), WeightScaleFeature.TryParse);

    [Fact]
    public void Weight_scale_feature_of_the_simulated_scale()
    {
        // Time stamp and BMI supported, 0.005 kg and 0.001 m resolution: bits 0, 2, 3..6 = 7, 7..9 = 3.
        Span<byte> value = stackalloc byte[WeightScaleFeature.Length];
        Assert.True(new WeightScaleFeature(true, false, true, WeightScaleFeature.FiveGrams, WeightScaleFeature.OneMillimetre).TryFormat(value, out _));
        Assert.Equal("BD010000", Convert.ToHexString(value));
    }

    [Fact]
    public void Weight_measurement() => RoundTrip(3, r =>
        {
            var weight = (ushort)r.Next(65536);
            var bmi = weight != WeightMeasurement.Unsuccessful && r.Next(2) == 0;
            return new WeightMeasurement(weight, r.Next(2) == 0, Maybe(r, DateTime), r.Next(2) == 0 ? (byte)r.Next(256) : null,
                bmi ? (ushort)r.Next(65536) : null, bmi ? (ushort)r.Next(65536) : null);
        },
        (in WeightMeasurement m, Span<byte> d, out int w) => m.TryFormat(d, out w), WeightMeasurement.TryParse);

    [Fact]
    public void Heart_rate_measurement() => RoundTrip(4, r =>
        {
            var wide = r.Next(2) == 0;
            var hasRr = r.Next(2) == 0;
            Span<ushort> rr = stackalloc ushort[hasRr ? r.Next(RrIntervals.Capacity + 1) : 0];
            for (var i = 0; i < rr.Length; i++) rr[i] = (ushort)r.Next(65536);
            return new HeartRateMeasurement((ushort)r.Next(wide ? 65536 : 256), wide, (SensorContact)r.Next(4),
                r.Next(2) == 0 ? (ushort)r.Next(65536) : null, hasRr, rr);
        },
        (in HeartRateMeasurement m, Span<byte> d, out int w) => m.TryFormat(d, out w), HeartRateMeasurement.TryParse);

    [Fact]
    public void Plx_spot_check_measurement() => RoundTrip(5, r => new PlxSpotCheckMeasurement(
        Short(r), Short(r), Maybe(r, DateTime), r.Next(2) == 0 ? (PlxMeasurementStatus)r.Next(65536) : null,
        r.Next(2) == 0 ? (uint)r.Next(1 << 24) : null, r.Next(2) == 0 ? Short(r) : null, r.Next(2) == 0),
        (in PlxSpotCheckMeasurement m, Span<byte> d, out int w) => m.TryFormat(d, out w), PlxSpotCheckMeasurement.TryParse);

    [Fact]
    public void Ghs_live_and_stored_observations() => RoundTrip(6, r => new GhsObservation(
        (uint)r.NextInt64(1L << 32), (uint)r.NextInt64(1L << 32), Float(r),
        r.Next(2) == 0 ? new GhsTimeStamp((byte)(r.Next(256) & ~GhsTimeStamp.OffsetFlag), (ulong)r.NextInt64(1L << 48), (byte)r.Next(256), 0) : null,
        r.Next(2) == 0 ? Float(r) : null, r.Next(2) == 0 ? (GhsMeasurementStatus)r.Next(65536) : null,
        r.Next(2) == 0 ? (uint)r.NextInt64(1L << 32) : null, r.Next(2) == 0 ? (uint)r.NextInt64(1L << 32) : null),
        (in GhsObservation m, Span<byte> d, out int w) => m.TryFormat(d, out w),
        (ReadOnlySpan<byte> data, out GhsObservation value, out Vitals.Devices.DecodeError error) =>
            // Whether a record number leads is the characteristic's business (0x2BDD), not the record's: try both.
            GhsObservation.TryParse(data, stored: false, out value, out error) || GhsObservation.TryParse(data, stored: true, out value, out error));

    [Fact]
    public void Date_time() => RoundTrip(7, DateTime,
        (in GattDateTime m, Span<byte> d, out int w) => m.TryFormat(d, out w), GattDateTime.TryParse);

    private delegate bool Format<T>(in T value, Span<byte> destination, out int written);

    private static void RoundTrip<T>(int seed, Func<Random, T> next, Format<T> format, Parse<T> parse)
        where T : struct, IEquatable<T>
    {
        var random = new Random(seed);
        Span<byte> buffer = stackalloc byte[64];
        for (var i = 0; i < Count; i++)
        {
            var value = next(random);
            // Messages are built only on failure: a million interpolations would dominate the run.
            if (!format(value, buffer, out var written))
            {
                Assert.Fail($"#{i}: cannot format {value}");
            }
            if (!parse(buffer[..written], out var back, out var error))
            {
                Assert.Fail($"#{i}: {value} -> {Convert.ToHexString(buffer[..written])}: {error}");
            }
            if (!value.Equals(back))
            {
                Assert.Fail($"#{i}: {value} came back as {back}");
            }
        }
    }

    private static T? Maybe<T>(Random r, Func<Random, T> next) where T : struct => r.Next(2) == 0 ? next(r) : null;

    private static GattDateTime DateTime(Random r) => new(
        r.Next(8) == 0 ? (ushort)0 : (ushort)r.Next(1582, 10000), (byte)r.Next(13), (byte)r.Next(32), (byte)r.Next(24), (byte)r.Next(60), (byte)r.Next(60));

    // Every raw code, specials included; re-decoding a decoded value is the identity (MedicalFloatTests).
    private static MedicalFloat Short(Random r)
    {
        Sfloat.TryDecode((ushort)r.Next(65536), out var value);
        return value;
    }

    private static MedicalFloat Float(Random r)
    {
        // Exponents decimal can hold; the specials appear often enough to be exercised.
        var raw = r.Next(16) == 0
            ? Float32.NaN + (uint)r.Next(4)
            : (uint)(r.Next(-28, 22) << 24) | (uint)r.Next(1 << 24);
        if (!Float32.TryDecode(raw, out var value))
        {
            value = new MedicalFloat(1m);
        }
        return value;
    }
}
