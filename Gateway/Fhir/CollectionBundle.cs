using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The Bundle of type collection that <c>decode</c> prints (README "Command line"): the Device and the
/// Observations, linked by deterministic urn:uuid fullUrls.
/// </summary>
public static class CollectionBundle
{
    /// <summary>
    /// Copies the resources: <paramref name="mapped"/> stays as the mapper made it (the sender points
    /// Observation.device at the server's Device id itself).
    /// </summary>
    public static Bundle Build(MappedReading mapped)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };
        var deviceUrl = DeviceFullUrl(mapped.DeviceIdentifier);
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = deviceUrl, Resource = (Device)mapped.Device.DeepCopy() });
        if (mapped.CoincidentTimeStamp is { } coincident)
        {
            var observation = (Observation)coincident.DeepCopy();
            (observation.Device ??= new ResourceReference()).Reference = deviceUrl;
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = ObservationFullUrl(observation), Resource = observation });
        }
        foreach (var original in mapped.Observations)
        {
            var observation = (Observation)original.DeepCopy();
            // The identifier stays on the reference: it is how a receiver matches the device without the Bundle.
            (observation.Device ??= new ResourceReference()).Reference = deviceUrl;
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = ObservationFullUrl(observation), Resource = observation });
        }
        return bundle;
    }

    public static string DeviceFullUrl(Identifier deviceIdentifier) =>
        DeterministicUuid.Urn("Device|" + deviceIdentifier.System + "|" + deviceIdentifier.Value);

    /// <summary>From the de-duplication identifier, so the same measurement always gets the same urn:uuid.</summary>
    public static string ObservationFullUrl(Observation observation)
    {
        var identifier = observation.Identifier.FirstOrDefault()
            ?? throw new ArgumentException("the Observation has no de-duplication identifier", nameof(observation));
        return DeterministicUuid.Urn("Observation|" + identifier.System + "|" + identifier.Value);
    }
}
