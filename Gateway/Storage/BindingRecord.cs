using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>One period during which a device was bound to a patient; <see cref="UnboundAt"/> is null while current.</summary>
public sealed record BindingRecord(long Id, string DeviceId, PatientId Patient, DateTimeOffset BoundAt, DateTimeOffset? UnboundAt);
