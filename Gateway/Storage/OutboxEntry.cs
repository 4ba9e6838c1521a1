using Vitals.Devices;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>A bound reading waiting for delivery. <see cref="Attempts"/> counts failed attempts so far.</summary>
public sealed record OutboxEntry(
    long Id, long ReadingId, Reading Reading, PatientId Patient, int Attempts, DateTimeOffset EnqueuedAt, string Origin, byte[] Payload)
{
    /// <summary>The last failure's reason, or for a reading that failed alone with server errors, its recent answers (newest first).</summary>
    public string? LastError { get; init; }
}
