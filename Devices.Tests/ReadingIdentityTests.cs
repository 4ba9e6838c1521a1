using Vitals.Devices;

namespace Vitals.Devices.Tests;

/// <summary>
/// The identity rule (docs/fhir.md "Identifiers"; HL7 PHD IG, "The Observation Identifier": the same measurement resent
/// gets the same identifier, no other measurement does).
/// </summary>
public sealed class ReadingIdentityTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1));

    private static Reading Cuff(DateTimeOffset? at = null) => new()
    {
        DeviceId = "00:1C:05:00:78:25",
        Kind = VitalKind.BloodPressure,
        EffectiveTime = at ?? At,
        DeviceTime = "2026-11-25T08:30:00+01:00",
        Systolic = new Quantity(128m, Ucum.MillimetreMercury),
        Diastolic = new Quantity(82m, Ucum.MillimetreMercury),
    };

    [Fact]
    public void Scheme_1_keys_are_unchanged_for_readings_stored_before_scheme_2()
    {
        var reading = Cuff() with { IdentityScheme = 1 };

        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17", ReadingIdentity.Key(reading with { MeasurementId = "17" }));
        Assert.Equal("00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17|user:3", ReadingIdentity.Key(reading with { MeasurementId = "17", UserId = 3 }));
    }

    [Fact]
    public void A_scheme_2_key_holds_device_kind_values_with_units_and_the_UTC_instant()
    {
        Assert.Equal("v2|00:1C:05:00:78:25|blood-pressure|sys=128 mm[Hg];dia=82 mm[Hg];|t:2026-11-25T07:30:00.0000000Z", ReadingIdentity.Key(Cuff()));
        Assert.Equal("v2|00:1C:05:00:78:25|blood-pressure|sys=128 mm[Hg];dia=82 mm[Hg];|t:2026-11-25T07:30:00.0000000Z|id:17", ReadingIdentity.Key(Cuff() with { MeasurementId = "17" }));
    }

    public static TheoryData<string, Reading> Resends() => new()
    {
        { "the same instant written Z", Cuff(At.ToUniversalTime()) with { DeviceTime = "2026-11-25T07:30:00Z" } },
        { "the same instant written +05:30", Cuff(At.ToOffset(TimeSpan.FromHours(5.5))) },
        { "as a stored GHS record with a record number", Cuff() with { RecordNumber = 4711 } },
        { "trailing zeros (a FLOAT with another exponent)", Cuff() with { Systolic = new Quantity(128.0m, Ucum.MillimetreMercury) } },
        { "another user index", Cuff() with { UserId = 2 } },
        { "a device-local time corrected by another clock estimate",
            Cuff(At.AddSeconds(-3)) with { TimeQuality = TimeQuality.AssumedLocalZone, DeviceTime = "2026-11-25T08:30:00", ClockCorrection = TimeSpan.FromSeconds(3) } },
    };

    [Theory]
    [MemberData(nameof(Resends))]
    public void Every_spelling_of_a_resend_gets_the_same_key(string why, Reading resend)
    {
        Assert.True(ReadingIdentity.Key(Cuff()) == ReadingIdentity.Key(resend), why);
    }

    [Fact]
    public void The_device_s_own_id_tells_apart_two_measurements_in_one_clock_tick()
    {
        // A simulator or a fast device: whole-second times, equal values, an increasing id.
        Assert.NotEqual(ReadingIdentity.Key(Cuff() with { MeasurementId = "1" }), ReadingIdentity.Key(Cuff() with { MeasurementId = "2" }));
        Assert.Equal(ReadingIdentity.Key(Cuff() with { MeasurementId = "1" }), ReadingIdentity.Key(Cuff(At.ToUniversalTime()) with { MeasurementId = "1" }));
    }

    [Fact]
    public void Without_a_device_time_a_GHS_record_number_identifies_a_resend()
    {
        var first = Cuff() with { TimeQuality = TimeQuality.ReceiptTime, DeviceTime = null, RecordNumber = 7 };

        Assert.Equal(ReadingIdentity.Key(first), ReadingIdentity.Key(first with { EffectiveTime = At.AddHours(3) }));
        Assert.NotEqual(ReadingIdentity.Key(first), ReadingIdentity.Key(first with { RecordNumber = 8 }));
    }

    [Fact]
    public void Without_a_device_time_the_device_s_id_identifies_a_resend()
    {
        var first = Cuff() with { TimeQuality = TimeQuality.ReceiptTime, DeviceTime = null, MeasurementId = "m-1" };
        var resent = first with { EffectiveTime = At.AddHours(3) };

        Assert.Equal(ReadingIdentity.Key(first), ReadingIdentity.Key(resent));
        Assert.NotEqual(ReadingIdentity.Key(first), ReadingIdentity.Key(first with { MeasurementId = "m-2" }));
    }

    [Fact]
    public void Without_time_and_id_an_identical_payload_is_a_resend_within_the_same_UTC_minute_only()
    {
        var first = Cuff() with { TimeQuality = TimeQuality.ReceiptTime, DeviceTime = null, MeasurementId = null, EffectiveTime = At.AddSeconds(5) };

        Assert.Equal(ReadingIdentity.Key(first), ReadingIdentity.Key(first with { EffectiveTime = At.AddSeconds(50) }));
        Assert.NotEqual(ReadingIdentity.Key(first), ReadingIdentity.Key(first with { EffectiveTime = At.AddSeconds(65) }));
        Assert.NotEqual(ReadingIdentity.Key(first), ReadingIdentity.Key(first with { Systolic = new Quantity(129m, Ucum.MillimetreMercury) }));
    }

    [Fact]
    public void Separators_inside_device_ids_or_units_cannot_make_two_readings_share_a_key()
    {
        var a = Cuff() with { DeviceId = "a|blood-pressure" };
        var b = Cuff() with { DeviceId = "a" };

        Assert.NotEqual(ReadingIdentity.Key(a), ReadingIdentity.Key(b));
        Assert.Contains("a\\|blood-pressure|", ReadingIdentity.Key(a), StringComparison.Ordinal);
    }
}
