using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class ObservationIdentifierTests
{
    private static readonly MeasurementCode Panel = VitalSignCodes.For(VitalKind.BloodPressure).Code;

    [Fact]
    public void A_scheme_1_reading_keeps_its_documented_hash_of_key_patient_and_loinc()
    {
        var reading = Some.CuffReading() with { IdentityScheme = 1 };
        var input = "00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17|Patient/123|85354-9";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))[..16]);

        Assert.Equal(expected, ObservationIdentifier.ComputeValue(reading, Some.BoundPatient, Panel));
        Assert.Equal("urn:vitals-gateway:measurement", ObservationIdentifier.Create(new FhirOptions().IdentifierSystem, reading, Some.BoundPatient, Panel).System);
    }

    [Fact]
    public void The_scheme_2_value_is_the_documented_hash_of_key_patient_and_mdc_code()
    {
        // docs/fhir.md "Identifiers": values with units (trailing zeros dropped), the device's time as a UTC instant.
        var reading = Some.CuffReading();
        var input = "v2|00:1C:05:00:78:25|blood-pressure|sys=128 mm[Hg];dia=82 mm[Hg];pulse=64 /min;|t:2026-11-25T07:30:00.0000000Z|id:17|Patient/123|150020";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))[..16]);

        Assert.Equal(expected, ObservationIdentifier.ComputeValue(reading, Some.BoundPatient, Panel));
        Assert.Equal(FhirSystems.ObservationIdentifier, ObservationIdentifier.Create("urn:other", reading, Some.BoundPatient, Panel).System);
    }

    [Fact]
    public void The_same_reading_mapped_twice_gets_the_same_identifiers()
    {
        var first = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);
        var resend = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

        Assert.Equal(
            first.Observations.Select(o => o.Identifier.Single().Value),
            resend.Observations.Select(o => o.Identifier.Single().Value));
    }

    [Fact]
    public void The_panel_and_its_pulse_observation_differ()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

        Assert.NotEqual(mapped.Observations[0].Identifier[0].Value, mapped.Observations[1].Identifier[0].Value);
    }

    public static TheoryData<string, Reading, PatientId?> Variations() => new()
    {
        { "other patient", Some.CuffReading(), PatientId.Parse("Patient/456") },
        { "patient by identifier", Some.CuffReading(), PatientId.Parse("https://hospital.example/mrn|123") },
        { "unbound", Some.CuffReading(), null },
        { "other device", Some.CuffReading() with { DeviceId = "00:1C:05:00:78:26" }, Some.BoundPatient },
        { "other instant", Some.CuffReading() with { EffectiveTime = Some.MeasuredAt.AddSeconds(1) }, Some.BoundPatient },
        { "same wall clock, other hour (autumn repeat)", Some.CuffReading() with { EffectiveTime = new DateTimeOffset(Some.MeasuredAt.DateTime, TimeSpan.FromHours(2)) }, Some.BoundPatient },
        { "other systolic", Some.CuffReading(systolic: 129m), Some.BoundPatient },
        { "other pulse", Some.CuffReading(pulse: 65m), Some.BoundPatient },
        { "no pulse", Some.CuffReading(pulse: null), Some.BoundPatient },
        { "other unit", Some.CuffReading(systolic: 17.1m, diastolic: 10.9m, unit: Ucum.Kilopascal), Some.BoundPatient },
        { "received without time", Some.CuffReading() with { TimeQuality = TimeQuality.ReceiptTime, MeasurementId = null }, Some.BoundPatient },
        { "another device id", Some.CuffReading() with { MeasurementId = "18" }, Some.BoundPatient },
    };

    [Theory]
    [MemberData(nameof(Variations))]
    public void A_different_measurement_or_patient_gets_a_different_identifier(string why, Reading reading, PatientId? patient)
    {
        var baseline = ObservationIdentifier.ComputeValue(Some.CuffReading(), Some.BoundPatient, Panel);

        Assert.True(baseline != ObservationIdentifier.ComputeValue(reading, patient, Panel), why);
    }

    [Fact]
    public void A_different_code_gets_a_different_identifier()
    {
        Assert.NotEqual(
            ObservationIdentifier.ComputeValue(Some.CuffReading(), Some.BoundPatient, Panel),
            ObservationIdentifier.ComputeValue(Some.CuffReading(), Some.BoundPatient, VitalSignCodes.PulseFromCuff));
    }

    [Fact]
    public void The_mapper_uses_the_configured_system_for_scheme_1_readings_only()
    {
        var options = new FhirOptions { IdentifierSystem = "https://hospital.example/vitals" };

        var legacy = Some.ReadingMapper(options).Map(Some.ThermometerReading() with { IdentityScheme = 1 }, Some.BoundPatient).Observations[0].Identifier.Single();
        var current = Some.ReadingMapper(options).Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0].Identifier.Single();

        Assert.Equal("https://hospital.example/vitals", legacy.System);
        Assert.Equal(FhirSystems.ObservationIdentifier, current.System);
        Assert.Matches("^[0-9a-f]{32}$", current.Value);
    }

    [Fact]
    public void The_search_query_is_built_from_the_identifier_on_the_resource()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];
        var identifier = observation.Identifier.Single();

        Assert.Equal("identifier=urn%3Avitals-gateway%3Aobservation-id%3A2|" + identifier.Value, ObservationIdentifier.ToSearchQuery(identifier));
    }

    [Fact]
    public void The_search_query_escapes_FHIR_and_URL_separators()
    {
        var query = ObservationIdentifier.ToSearchQuery(new Identifier("https://x.example/a?b=c&d", "v|1,2$3\\4 5"));

        Assert.Equal("identifier=https%3A%2F%2Fx.example%2Fa%3Fb%3Dc%26d|v%5C%7C1%5C%2C2%5C%243%5C%5C4%205", query);
    }

    [Fact]
    public void A_query_without_a_system_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ObservationIdentifier.ToSearchQuery(new Identifier(null, "abc")));
    }
}
