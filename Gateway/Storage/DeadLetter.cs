using Vitals.Devices;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// A reading the EHR refused for good, with why, the request and the original payload. <see cref="Reading"/> is null
/// when the stored reading cannot be read (a damaged row dead-lettered by the outbox; its reason says so).
/// </summary>
public sealed record DeadLetter(
    long Id, long ReadingId, string DeviceId, PatientId Patient, Reading? Reading, DateTimeOffset FailedAt, int Attempts,
    DeadLetterReason Why, string Origin, byte[] Payload);
