using Vitals.Devices;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>A reading the EHR refused for good, with why, the request and the original payload.</summary>
public sealed record DeadLetter(
    long Id, long ReadingId, string DeviceId, PatientId Patient, Reading Reading, DateTimeOffset FailedAt, int Attempts,
    DeadLetterReason Why, string Origin, byte[] Payload);
