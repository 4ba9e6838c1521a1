using Hl7.Fhir.Model;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Delivery.Compatibility;

/// <summary>Each Ehr:Compatibility switch on the real mapper's output; the mapping itself is never changed.</summary>
public sealed class EhrCompatibilityTests
{
    private static MappedReading Cuff() => Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

    private static MappedReading Thermometer() => Some.ReadingMapper().Map(Some.ThermometerReading(), Some.BoundPatient);

    private static Observation Panel(MappedReading m) => m.Observations.Single(o => o.Code.Coding.Any(c => c.Code == "85354-9"));

    /// <summary>A cuff reading whose time stamp the gateway corrected by the device clock's measured offset.</summary>
    private static MappedReading CorrectedCuff() => Some.ReadingMapper().Map(Some.CuffReading() with
    {
        DeviceTime = Some.MeasuredAt.ToString("O"),
        TimeQuality = Vitals.Devices.TimeQuality.AssumedLocalZone,
        ClockCorrection = TimeSpan.FromMinutes(-90),
        ClockMeasuredAt = Some.MeasuredAt.AddMinutes(5),
    }, Some.BoundPatient);

    [Fact]
    public void Nothing_configured_sends_the_mapping_as_it_is()
    {
        var mapped = Cuff();
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions());

        Assert.True(compatibility.IsIdentity);
        Assert.Same(mapped, compatibility.Apply(mapped));
        Assert.True(compatibility.SendsDevice);
    }

    [Fact]
    public void The_coincident_time_stamp_takes_the_switches_too()
    {
        var mapped = CorrectedCuff();
        Assert.NotNull(mapped.CoincidentTimeStamp!.Device);
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions { Omit = [EhrCompatibility.OmitDevice], Performer = "Practitioner/123" });

        var outgoing = OutgoingReading.FromMapping(Some.Outgoing(mapped).Entry, mapped, compatibility);

        var sent = outgoing.CoincidentToSend(deviceReference: null);
        Assert.Null(sent.Device);
        Assert.Equal("Practitioner/123", Assert.Single(sent.Performer).Reference);
        Assert.Equal(mapped.CoincidentTimeStamp.Identifier[0].Value, outgoing.CoincidentKey!.Value);
        Assert.All(outgoing.Resources.Observations, o => Assert.Equal(outgoing.CoincidentKey!.Value, Assert.Single(o.DerivedFrom).Identifier!.Value));
        Assert.NotNull(mapped.CoincidentTimeStamp.Device);
    }

    [Fact]
    public void Without_MDC_codings_the_coincident_time_stamp_is_left_out_and_so_are_the_links_to_it()
    {
        var mapped = CorrectedCuff();
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions { Omit = [EhrCompatibility.OmitMdcCoding] });

        var outgoing = OutgoingReading.FromMapping(Some.Outgoing(mapped).Entry, mapped, compatibility);

        // Its only code is MDC 67975: sent without it, it would have no code at all.
        Assert.Null(outgoing.Resources.CoincidentTimeStamp);
        Assert.Null(outgoing.CoincidentKey);
        Assert.All(outgoing.Resources.Observations, o => Assert.Empty(o.DerivedFrom));
        Assert.NotNull(mapped.CoincidentTimeStamp);
        Assert.All(mapped.Observations, o => Assert.Single(o.DerivedFrom));
    }

    [Fact]
    public void Without_identifiers_the_links_that_name_the_coincident_time_stamp_by_identifier_go()
    {
        var mapped = CorrectedCuff();
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions { Omit = [EhrCompatibility.OmitIdentifier] });

        var outgoing = OutgoingReading.FromMapping(Some.Outgoing(mapped).Entry, mapped, compatibility);

        Assert.Empty(outgoing.CoincidentToSend(deviceReference: null).Identifier);
        Assert.All(outgoing.Resources.Observations, o => Assert.Empty(o.DerivedFrom));
        // The de-duplication key still comes from the full mapping (conditional creates and the ledger).
        Assert.Equal(mapped.CoincidentTimeStamp!.Identifier[0].Value, outgoing.CoincidentKey!.Value);
    }

    [Fact]
    public void SingleCategory_keeps_only_vital_signs_and_leaves_the_mapping_alone()
    {
        var mapped = Thermometer();
        Assert.Equal(2, mapped.Observations[0].Category.Count);

        var sent = new EhrCompatibility(new EhrCompatibilityOptions { SingleCategory = true }).Apply(mapped);

        var category = Assert.Single(sent.Observations[0].Category);
        Assert.Contains(category.Coding, c => c.System == FhirSystems.ObservationCategory && c.Code == "vital-signs");
        Assert.Equal(2, mapped.Observations[0].Category.Count);
    }

    [Fact]
    public void Performer_is_added_to_every_Observation()
    {
        var sent = new EhrCompatibility(new EhrCompatibilityOptions { Performer = "Practitioner/123" }).Apply(Cuff());

        Assert.All(sent.Observations, o => Assert.Equal("Practitioner/123", Assert.Single(o.Performer).Reference));
    }

    [Fact]
    public void CodeMap_adds_the_EHRs_coding_next_to_LOINC_on_codes_and_components()
    {
        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions
        {
            CodeMap = new() { ["85354-9"] = "urn:oid:1.2.3|BP|Blood pressure", ["8480-6"] = "urn:oid:1.2.3|SYS" },
        });

        var panel = Panel(compatibility.Apply(Cuff()));

        Assert.Contains(panel.Code.Coding, c => c.System == FhirSystems.Loinc && c.Code == "85354-9");
        Assert.Contains(panel.Code.Coding, c => c is { System: "urn:oid:1.2.3", Code: "BP", Display: "Blood pressure" });
        var systolic = panel.Component.Single(c => c.Code.Coding.Any(x => x.Code == "8480-6"));
        Assert.Contains(systolic.Code.Coding, c => c is { System: "urn:oid:1.2.3", Code: "SYS", Display: null });
        Assert.DoesNotContain(Panel(Cuff()).Code.Coding, c => c.System == "urn:oid:1.2.3");
    }

    [Fact]
    public void Omit_component_map_and_code_mdc_drop_the_derived_MAP_and_the_MDC_codings()
    {
        var reading = Some.CuffReading() with { MeanArterial = new Vitals.Devices.Quantity(97m, Vitals.Devices.Ucum.MillimetreMercury) };
        var mapped = Some.ReadingMapper().Map(reading, Some.BoundPatient);
        Assert.Contains(Panel(mapped).Component, c => c.Code.Coding.Any(x => x.Code == VitalSignCodes.MeanArterial.Loinc));

        var sent = new EhrCompatibility(new EhrCompatibilityOptions { Omit = ["component.map", "code.mdc"] }).Apply(mapped);

        Assert.DoesNotContain(Panel(sent).Component, c => c.Code.Coding.Any(x => x.Code == VitalSignCodes.MeanArterial.Loinc));
        Assert.Equal(2, Panel(sent).Component.Count);
        Assert.All(sent.Observations, o => Assert.DoesNotContain(o.Code.Coding, c => c.System == FhirSystems.Mdc));
    }

    [Fact]
    public void Omit_device_identifier_meta_profile_interpretation_note_bodySite()
    {
        var reading = Some.ThermometerReading() with { Status = Vitals.Devices.MeasurementStatus.Questionable | Vitals.Devices.MeasurementStatus.BodyMovement, Site = "oral" };
        var mapped = Some.ReadingMapper().Map(reading, Some.BoundPatient);
        var original = mapped.Observations[0];
        Assert.NotEmpty(original.Interpretation);
        Assert.NotEmpty(original.Note);
        Assert.NotNull(original.BodySite);

        var compatibility = new EhrCompatibility(new EhrCompatibilityOptions
        {
            Omit = ["device", "identifier", "meta.profile", "interpretation", "note", "bodySite"],
        });
        var sent = compatibility.Apply(mapped).Observations[0];

        Assert.False(compatibility.SendsDevice);
        Assert.Null(sent.Device);
        Assert.Empty(sent.Identifier);
        Assert.True(sent.Meta is null || !sent.Meta.Profile.Any());
        Assert.Empty(sent.Interpretation);
        Assert.Empty(sent.Note);
        Assert.Null(sent.BodySite);
        // The de-duplication keys come from the mapping, which still has everything.
        var outgoing = OutgoingReading.FromMapping(Some.Outgoing(mapped).Entry, mapped, compatibility);
        Assert.Null(outgoing.DeviceKey);
        Assert.Equal(original.Identifier[0].Value, outgoing.ObservationKeys[0].Value);
    }

    [Fact]
    public void Omit_meta_removes_it_whole()
    {
        var sent = new EhrCompatibility(new EhrCompatibilityOptions { Omit = ["meta"] }).Apply(Thermometer());
        Assert.Null(sent.Observations[0].Meta);
    }
}
