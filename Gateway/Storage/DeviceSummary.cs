using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>A device the store has seen or bound, with its current binding and counts.</summary>
public sealed record DeviceSummary(
    string DeviceId, PatientId? Patient, DateTimeOffset? BoundAt, DateTimeOffset? LastSeen, long Readings, long Quarantined);
