using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

public sealed class CollectionBundleTests
{
    [Fact]
    public void The_bundle_holds_the_device_and_observations_linked_by_urn_uuid()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

        var bundle = CollectionBundle.Build(mapped);

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        Assert.Equal(3, bundle.Entry.Count);
        Assert.IsType<Device>(bundle.Entry[0].Resource);
        Assert.All(bundle.Entry, e => Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", e.FullUrl));
        Assert.Equal(3, bundle.Entry.Select(e => e.FullUrl).Distinct().Count());
        foreach (var observation in bundle.Entry.Skip(1).Select(e => Assert.IsType<Observation>(e.Resource)))
        {
            Assert.Equal(bundle.Entry[0].FullUrl, observation.Device!.Reference);
            Assert.Equal("00-1C-05-00-78-25", observation.Device.Identifier!.Value);
        }
    }

    [Fact]
    public void Building_the_bundle_leaves_the_mapped_reading_alone()
    {
        var mapped = Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient);

        CollectionBundle.Build(mapped);

        Assert.All(mapped.Observations, o => Assert.Null(o.Device!.Reference));
    }

    [Fact]
    public void The_same_reading_always_gives_the_same_full_urls()
    {
        var first = CollectionBundle.Build(Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient));
        var again = CollectionBundle.Build(Some.ReadingMapper().Map(Some.CuffReading(), Some.BoundPatient));
        var otherPatient = CollectionBundle.Build(Some.ReadingMapper().Map(Some.CuffReading(), Vitals.Gateway.Patients.PatientId.Parse("Patient/9")));

        Assert.Equal(first.Entry.Select(e => e.FullUrl), again.Entry.Select(e => e.FullUrl));
        Assert.Equal(first.Entry[0].FullUrl, otherPatient.Entry[0].FullUrl);
        Assert.NotEqual(first.Entry[1].FullUrl, otherPatient.Entry[1].FullUrl);
    }
}
