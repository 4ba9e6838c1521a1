using Hl7.Fhir.Model;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// One outbox entry ready to send: <see cref="Resources"/> is the mapping after the per-EHR switches
/// (<see cref="EhrCompatibility"/>), which may have left identifiers or the device out; the de-duplication keys are
/// taken before that, from the full mapping, so conditional creates and the single-post ledger never depend on what an
/// EHR accepts. <see cref="DeviceKey"/> is null when Observation.device is left out (no Device is created then).
/// </summary>
public sealed record OutgoingReading(OutboxEntry Entry, MappedReading Resources, Identifier? DeviceKey, IReadOnlyList<Identifier> ObservationKeys)
{
    /// <summary>Keys from <paramref name="mapped"/> as the mapper made it, resources after <paramref name="compatibility"/>.</summary>
    public static OutgoingReading FromMapping(OutboxEntry entry, MappedReading mapped, EhrCompatibility compatibility)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        ArgumentNullException.ThrowIfNull(compatibility);
        var sent = compatibility.Apply(mapped);
        return new OutgoingReading(
            entry, sent,
            compatibility.SendsDevice ? DeduplicationKey(mapped.Device.Identifier, "Device") : null,
            [.. mapped.Observations.Select(o => DeduplicationKey(o.Identifier, "Observation"))])
        {
            // None when the EHR's switches leave the time stamp out (no MDC coding): then nothing files it.
            CoincidentKey = sent.CoincidentTimeStamp is not null && mapped.CoincidentTimeStamp is { } cts
                ? DeduplicationKey(cts.Identifier, "Observation")
                : null,
        };
    }

    /// <summary>
    /// The de-duplication identifier of the reading's Coincident Time Stamp (<see cref="MappedReading.CoincidentTimeStamp"/>),
    /// null when it has none. Senders file it before the Observations, conditionally on this; the Observations'
    /// derivedFrom names it by this identifier only (see <see cref="CoincidentTimeStamp"/> on why not by server id).
    /// </summary>
    public Identifier? CoincidentKey { get; init; }

    /// <summary>The Coincident Time Stamp as it goes to the EHR: a copy whose device names the reading's Device by <paramref name="deviceReference"/>.</summary>
    public Observation CoincidentToSend(string? deviceReference)
    {
        var observation = (Observation)(Resources.CoincidentTimeStamp ?? throw new InvalidOperationException("no Coincident Time Stamp (sender bug)")).DeepCopy();
        if (deviceReference is not null && observation.Device is not null)
            observation.Device.Reference = deviceReference;
        return observation;
    }

    /// <summary>The first identifier with both system and value: the mapper puts the de-duplication identifier there.</summary>
    private static Identifier DeduplicationKey(List<Identifier> identifiers, string resourceType) =>
        identifiers.FirstOrDefault(i => !string.IsNullOrEmpty(i.System) && !string.IsNullOrEmpty(i.Value))
        ?? throw new ArgumentException(
            $"The {resourceType} has no identifier with a system and a value; de-duplication needs one (mapping bug).");

    /// <summary>
    /// Observation <paramref name="index"/> as it goes to the EHR: a copy whose <c>device</c> names the reading's
    /// Device by <paramref name="deviceReference"/> ("Device/{id}", or a Bundle entry's urn:uuid) next to its
    /// identifier; unchanged when the Device is not sent (<paramref name="deviceReference"/> null). Every profile links
    /// the same way, so a reading looks alike in the EHR whichever profile filed it.
    /// </summary>
    public Observation ObservationToSend(int index, string? deviceReference)
    {
        // A copy: the mapping stays as it was; it may be sent again (a retry, a smaller Bundle after a split).
        var observation = (Observation)Resources.Observations[index].DeepCopy();
        if (deviceReference is null)
            return observation;
        var key = DeviceKey ?? throw new InvalidOperationException("a Device reference for a reading that sends no Device (sender bug)");
        observation.Device ??= new ResourceReference { Identifier = (Identifier)key.DeepCopy() };
        observation.Device.Reference = deviceReference;
        return observation;
    }
}
