using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// What one reading becomes in FHIR: the measuring Device (created conditionally on its identifier) and one
/// Observation per measurement. Observation.device is left for the sender to point at the Device's server id
/// (or at a transaction's urn:uuid).
/// </summary>
public sealed record MappedReading(Device Device, IReadOnlyList<Observation> Observations)
{
    /// <summary>The Device's business identifier: the sender's conditional create is on this
    /// (<see cref="ObservationIdentifier.ToSearchQuery"/>), and every Observation.device carries a copy.</summary>
    public Identifier DeviceIdentifier => Device.Identifier[0];

    /// <summary>
    /// The PHD IG's Coincident Time Stamp Observation when the gateway corrected the device's clock
    /// (<see cref="Fhir.CoincidentTimeStamp"/>); the Observations' <c>derivedFrom</c> names it by identifier. Sent
    /// before them, conditionally on that identifier, like the Device. Null when nothing was corrected.
    /// </summary>
    public Observation? CoincidentTimeStamp { get; init; }
}
