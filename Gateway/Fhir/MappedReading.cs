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
}
