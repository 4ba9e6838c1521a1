using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// One outbox entry ready to send: <see cref="Resources"/> is the mapping after the per-EHR switches
/// (<see cref="EhrCompatibility"/>), which may have left identifiers or the device out; the de-duplication keys are
/// taken before that, from the full mapping, so conditional creates and the single-post ledger never depend on what an
/// EHR accepts. <see cref="DeviceKey"/> is null when Observation.device is left out (no Device is created then).
/// </summary>
public sealed record OutgoingReading(OutboxEntry Entry, MappedReading Resources, Identifier? DeviceKey, IReadOnlyList<Identifier> ObservationKeys)
{
    /// <summary>From a mapping as <see cref="ReadingMapper"/> made it (keys on the first identifiers), sent as it is.</summary>
    public static OutgoingReading FromMapping(OutboxEntry entry, MappedReading mapped) =>
        FromMapping(entry, mapped, mapped, sendDevice: true);

    /// <summary>Keys from <paramref name="full"/>, resources from <paramref name="toSend"/>.</summary>
    public static OutgoingReading FromMapping(OutboxEntry entry, MappedReading full, MappedReading toSend, bool sendDevice)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(toSend);
        return new OutgoingReading(
            entry, toSend,
            sendDevice ? DeduplicationKey(full.Device.Identifier, "Device") : null,
            [.. full.Observations.Select(o => DeduplicationKey(o.Identifier, "Observation"))]);
    }

    /// <summary>The first identifier with both system and value: the mapper puts the de-duplication identifier there.</summary>
    public static Identifier DeduplicationKey(List<Identifier> identifiers, string resourceType) =>
        identifiers.FirstOrDefault(i => !string.IsNullOrEmpty(i.System) && !string.IsNullOrEmpty(i.Value))
        ?? throw new ArgumentException(
            $"The {resourceType} has no identifier with a system and a value; de-duplication needs one (mapping bug).");
}
