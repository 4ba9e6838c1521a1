using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class ObservationIdentifierTests
{
    private const string PanelLoinc = "85354-9";

    [Fact]
    public void The_value_is_the_documented_hash_of_key_patient_and_code()
    {
        var reading = Some.CuffReading();
        var input = "00:1C:05:00:78:25|blood-pressure|2026-11-25T08:30:00+01:00|17|Patient/123|85354-9";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input))[..16]);

        Assert.Equal(expected, ObservationIdentifier.ComputeValue(reading, Some.BoundPatient, PanelLoinc));
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
        { "other device time", Some.CuffReading() with { DeviceTime = "2026-11-25T08:31:00+01:00" }, Some.BoundPatient },
        { "other record number", Some.CuffReading() with { MeasurementId = "18" }, Some.BoundPatient },
        { "no record number", Some.CuffReading() with { MeasurementId = null }, Some.BoundPatient },
        { "received at another time", Some.CuffReading() with { DeviceTime = null, EffectiveTime = Some.MeasuredAt.AddSeconds(1) }, Some.BoundPatient },
    };

    [Theory]
    [MemberData(nameof(Variations))]
    public void A_different_measurement_or_patient_gets_a_different_identifier(string why, Reading reading, PatientId? patient)
    {
        var baseline = ObservationIdentifier.ComputeValue(Some.CuffReading(), Some.BoundPatient, PanelLoinc);

        Assert.True(baseline != ObservationIdentifier.ComputeValue(reading, patient, PanelLoinc), why);
    }

    [Fact]
    public void A_different_code_gets_a_different_identifier()
    {
        Assert.NotEqual(
            ObservationIdentifier.ComputeValue(Some.CuffReading(), Some.BoundPatient, PanelLoinc),
            ObservationIdentifier.ComputeValue(Some.CuffReading(), Some.BoundPatient, "8867-4"));
    }

    [Fact]
    public void The_mapper_uses_the_configured_system()
    {
        var options = new FhirOptions { IdentifierSystem = "https://hospital.example/vitals" };

        var identifier = Some.ReadingMapper(options).Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0].Identifier.Single();

        Assert.Equal("https://hospital.example/vitals", identifier.System);
        Assert.Matches("^[0-9a-f]{32}$", identifier.Value);
    }

    [Fact]
    public void The_search_query_is_built_from_the_identifier_on_the_resource()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];
        var identifier = observation.Identifier.Single();

        Assert.Equal("identifier=urn%3Avitals-gateway%3Ameasurement|" + identifier.Value, ObservationIdentifier.ToSearchQuery(identifier));
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
