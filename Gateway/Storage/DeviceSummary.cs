using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// One slot of a device (<see cref="User"/>: its user index, null for readings without one) with its current binding
/// (<see cref="Patient"/> since <see cref="BoundFrom"/>) and quarantined readings; <see cref="LastSeen"/> and
/// <see cref="Readings"/> are the whole device's.
/// </summary>
public sealed record DeviceSummary(
    string DeviceId, int? User, PatientId? Patient, DateTimeOffset? BoundFrom, DateTimeOffset? LastSeen, long Readings, long Quarantined);
