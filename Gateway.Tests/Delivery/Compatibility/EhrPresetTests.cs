using Hl7.Fhir.Model;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Delivery.Compatibility;

public sealed class EhrPresetTests
{
    [Theory]
    // Medplum's server (packages/server fhir/metadata) and the sandbox in its default Medplum mode.
    [InlineData("""{"resourceType":"CapabilityStatement","publisher":"Medplum","software":{"name":"medplum","version":"5.0.13-2a0f1e1"},"implementation":{"description":"medplum","url":"https://api.example.org/fhir/R4/"}}""", "medplum")]
    [InlineData("""{"resourceType":"CapabilityStatement","software":{"name":"HAPI FHIR Server","version":"7.4.0"},"implementation":{"description":"HAPI FHIR"}}""", "hapi")]
    [InlineData("""{"resourceType":"CapabilityStatement","publisher":"Epic","software":{"name":"Epic","version":"November 2024"}}""", "epic")]
    // Oracle Health's open sandbox (fhir.cerner.com, R4 CapabilityStatement): no software element.
    [InlineData("""{"resourceType":"CapabilityStatement","publisher":"Cerner","implementation":{"description":"Cerner implementation of FHIR on top of Millennium","url":"https://fhir-open.cerner.com/r4/x"}}""", "oracle-health")]
    // The sandbox with --medplum none.
    [InlineData("""{"resourceType":"CapabilityStatement","software":{"name":"Vitals sandbox EHR","version":"1.0"}}""", "generic")]
    [InlineData("""{"resourceType":"CapabilityStatement"}""", "generic")]
    public void A_CapabilityStatement_identifies_its_server(string statement, string preset)
    {
        var identity = ServerIdentity.TryRead(statement);

        Assert.NotNull(identity);
        Assert.Equal(preset, EhrPreset.Identify(identity!).Name);
    }

    [Fact]
    public void Something_else_than_a_CapabilityStatement_has_no_identity()
    {
        Assert.Null(ServerIdentity.TryRead("<html></html>"));
        Assert.Null(ServerIdentity.TryRead("""{"resourceType":"OperationOutcome"}"""));
    }

    [Fact]
    public void The_Medplum_preset_leaves_only_the_bp_profile_out()
    {
        var preset = new EhrServerPreset(new EhrOptions());
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions(), preset);
        var before = compatibility.Apply(Cuff());
        Assert.Contains(EhrPreset.BloodPressureProfile, before.Observations[0].Meta!.Profile);

        preset.Apply(EhrPreset.Medplum);
        var after = compatibility.Apply(Cuff());

        Assert.All(after.Observations, o => Assert.DoesNotContain(EhrPreset.BloodPressureProfile, o.Meta?.Profile ?? []));
        // The heart rate of the same cuff keeps its profile.
        var others = after.Observations.Skip(1).Select(o => o.Meta?.Profile ?? []).ToList();
        Assert.All(others, p => Assert.NotEmpty(p));
    }

    [Fact]
    public void A_configured_OmitProfiles_wins_over_the_preset_and_none_means_none()
    {
        var preset = new EhrServerPreset(new EhrOptions { Compatibility = new EhrCompatibilityOptions { OmitProfiles = ["none"] } });
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions(), preset);

        var (changes, kept) = preset.Apply(EhrPreset.Medplum);

        Assert.Contains(EhrServerPreset.OmitProfilesKey, kept);
        Assert.DoesNotContain(changes, c => c.StartsWith(EhrServerPreset.OmitProfilesKey, StringComparison.Ordinal));
        Assert.Contains(EhrPreset.BloodPressureProfile, compatibility.Apply(Cuff()).Observations[0].Meta!.Profile);
    }

    [Fact]
    public void A_named_preset_applies_from_the_start_and_is_not_replaced_by_the_identified_one()
    {
        var preset = new EhrServerPreset(new EhrOptions { Preset = "generic" });
        Assert.True(preset.Settled.IsCompleted);

        preset.Apply(EhrPreset.Medplum);

        Assert.Equal("generic", preset.Current.Preset.Name);
        Assert.Empty(preset.Current.OmitProfiles);
    }

    private static MappedReading Cuff() => Some.MappedBloodPressure();
}
