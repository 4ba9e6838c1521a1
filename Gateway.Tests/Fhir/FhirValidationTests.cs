using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>The validator other tests rely on must be able to say no, for the reasons the profiles give.</summary>
public sealed class FhirValidationTests
{
    [Fact]
    public void A_mapped_blood_pressure_panel_is_valid()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

        Assert.All(mapped.Observations, o => Assert.Empty(FhirValidation.Errors(o)));
    }

    [Fact]
    public void A_blood_pressure_panel_without_components_is_rejected()
    {
        var panel = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient).Observations[0];
        panel.Component.Clear();

        var errors = FhirValidation.Errors(panel);

        Assert.Contains(errors, e => e.Contains("SystolicBP", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("vs-2", StringComparison.Ordinal));
    }

    [Fact]
    public void An_observation_without_subject_is_rejected()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), patient: null).Observations[0];

        var errors = FhirValidation.Errors(observation);

        Assert.Contains(errors, e => e.Contains("subject", StringComparison.Ordinal));
    }

    [Fact]
    public void A_body_temperature_in_a_unit_the_profile_does_not_bind_is_rejected()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];
        var value = Assert.IsType<Hl7.Fhir.Model.Quantity>(observation.Value);
        value.Code = "kg";

        Assert.NotEmpty(FhirValidation.Errors(observation));
    }

    [Fact]
    public void An_MDC_coding_in_a_blood_pressure_component_breaks_the_bp_profile_slicing()
    {
        // Why ReadingMapper leaves MDC codes off the components: the bp profile discriminates components on
        // code.coding.code, and with two codings the validator matches no slice. If this starts passing, the
        // components can carry VitalSignCodes.Systolic.Mdc again.
        var panel = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient).Observations[0];
        panel.Component[0].Code = VitalSignCodes.Systolic.ToCodeableConcept(includeMdc: true);

        Assert.Contains(FhirValidation.Errors(panel), e => e.Contains("SystolicBP", StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_name_where_the_problem_is()
    {
        var observation = Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient).Observations[0];
        observation.Status = null;

        var error = Assert.Single(FhirValidation.Errors(observation), e => e.Contains("status", StringComparison.Ordinal));
        Assert.StartsWith("Error Observation", error, StringComparison.Ordinal);
    }
}
