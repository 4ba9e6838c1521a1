using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// One period [<see cref="From"/>, <see cref="To"/>) during which a device's slot (<see cref="User"/>: its user index,
/// null for readings without one) was bound to a patient; <see cref="To"/> is null while current.
/// </summary>
public sealed record BindingRecord(long Id, string DeviceId, int? User, PatientId Patient, DateTimeOffset From, DateTimeOffset? To);
