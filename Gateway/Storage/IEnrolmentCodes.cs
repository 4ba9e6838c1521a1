using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// Enrolment codes for the pairing page (<c>patients enrol</c>): only a hash of each code is stored, with the patient
/// it enrols, when it expires and when it was used. A code works once.
/// </summary>
public interface IEnrolmentCodes
{
    Task AddAsync(string codeHash, PatientId patient, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken ct);

    /// <summary>The code's record whatever its state (the page tells unknown, expired and used apart), or null.</summary>
    Task<EnrolmentCodeRecord?> FindAsync(string codeHash, CancellationToken ct);

    /// <summary>
    /// Marks the code used at <paramref name="at"/> if it is unused and not expired then, atomically (two browsers
    /// redeeming the same code at once: one wins). The patient, or null when the code cannot be used.
    /// </summary>
    Task<PatientId?> RedeemAsync(string codeHash, DateTimeOffset at, CancellationToken ct);
}

/// <summary>One stored enrolment code (its hash is the key).</summary>
public sealed record EnrolmentCodeRecord(PatientId Patient, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);
