using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The Coincident Time Stamp Observation, asserted from the PHD IG's text ("Time Stamps and Time Synchronization",
/// PhdCoincidentTimeStampObservation): code MDC_ATTR_TIME_ABS, the device's clock as value and the gateway's as
/// effective time at one instant, the measuring device and the gateway named, and the corrected Observations derived
/// from it; one per clock measurement, whatever the readings and resends.
/// </summary>
public sealed class CoincidentTimeStampTests
{
    private static readonly DateTimeOffset MeasuredAt = new(2026, 11, 25, 6, 45, 12, 500, TimeSpan.Zero);
    private static readonly TimeSpan Ahead = TimeSpan.FromMinutes(200);

    private static Reading Corrected(Reading reading) => reading with
    {
        DeviceId = "C0:FF:EE:00:00:02",
        TimeQuality = TimeQuality.AssumedLocalZone,
        ClockCorrection = Ahead,
        ClockMeasuredAt = MeasuredAt,
    };

    [Fact]
    public void A_corrected_reading_brings_a_coincident_time_stamp_pairing_the_device_clock_with_the_gateway_clock()
    {
        var mapped = Some.ReadingMapper().Map(Corrected(Some.CuffReading()), Some.BoundPatient);

        var cts = Assert.IsType<Observation>(mapped.CoincidentTimeStamp);
        var coding = Assert.Single(cts.Code.Coding);
        Assert.Equal((FhirSystems.Mdc, "67975", "MDC_ATTR_TIME_ABS"), (coding.System, coding.Code, coding.Display));
        Assert.Equal(ObservationStatus.Final, cts.Status);
        // Gateway time as effective, the device's clock at that instant as the value.
        Assert.Equal(MeasuredAt, ((FhirDateTime)cts.Effective!).ToDateTimeOffset(TimeSpan.Zero));
        Assert.Equal(MeasuredAt + Ahead, ((FhirDateTime)cts.Value!).ToDateTimeOffset(TimeSpan.Zero));
        Assert.Equal(mapped.DeviceIdentifier.Value, cts.Device!.Identifier!.Value);
        Assert.Contains(cts.Extension, e => e.Url == FhirSystems.GatewayDeviceExtension);
        Assert.Null(cts.Subject);
        Assert.Equal(FhirSystems.ObservationIdentifier, Assert.Single(cts.Identifier).System);
        // Every Observation whose time was corrected points at it.
        Assert.Equal(2, mapped.Observations.Count);
        Assert.All(mapped.Observations, o => Assert.Equal(cts.Identifier[0].Value, Assert.Single(o.DerivedFrom).Identifier!.Value));
    }

    [Fact]
    public void The_readings_of_one_clock_measurement_share_one_and_another_measurement_gets_another()
    {
        var mapper = Some.ReadingMapper();
        var first = mapper.Map(Corrected(Some.CuffReading()), Some.BoundPatient).CoincidentTimeStamp!;
        var sameConnection = mapper.Map(Corrected(Some.CuffReading(systolic: 140m) with { EffectiveTime = Some.MeasuredAt.AddHours(-5) }), null).CoincidentTimeStamp!;
        var nextConnection = mapper.Map(Corrected(Some.CuffReading()) with { ClockMeasuredAt = MeasuredAt.AddDays(1) }, Some.BoundPatient).CoincidentTimeStamp!;
        var otherDevice = mapper.Map(Corrected(Some.CuffReading()) with { DeviceId = "C0:FF:EE:00:00:03" }, Some.BoundPatient).CoincidentTimeStamp!;

        Assert.Equal(first.Identifier[0].Value, sameConnection.Identifier[0].Value);
        Assert.NotEqual(first.Identifier[0].Value, nextConnection.Identifier[0].Value);
        Assert.NotEqual(first.Identifier[0].Value, otherDevice.Identifier[0].Value);
        Assert.Equal(CoincidentTimeStamp.IdentifierValue("C0:FF:EE:00:00:02", MeasuredAt, Ahead), first.Identifier[0].Value);
    }

    [Fact]
    public void A_reading_the_gateway_did_not_correct_has_none_and_no_derivedFrom()
    {
        var mapper = Some.ReadingMapper();
        var uncorrected = mapper.Map(Some.CuffReading(), Some.BoundPatient);
        var storedBeforeTheInstantWasKept = mapper.Map(Corrected(Some.CuffReading()) with { ClockMeasuredAt = null }, Some.BoundPatient);

        Assert.Null(uncorrected.CoincidentTimeStamp);
        Assert.All(uncorrected.Observations, o => Assert.Empty(o.DerivedFrom));
        Assert.Null(storedBeforeTheInstantWasKept.CoincidentTimeStamp);
    }

    [Fact]
    public void The_correction_and_its_instant_survive_the_store()
    {
        var reading = Corrected(Some.CuffReading());

        var back = Vitals.Gateway.Storage.ReadingJson.Deserialize(Vitals.Gateway.Storage.ReadingJson.Serialize(reading));

        Assert.Equal(reading.ClockCorrection, back.ClockCorrection);
        Assert.Equal(reading.ClockMeasuredAt, back.ClockMeasuredAt);
    }
}
