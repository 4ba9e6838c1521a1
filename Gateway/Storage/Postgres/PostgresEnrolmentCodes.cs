using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IEnrolmentCodes"/>: the <c>enrolment_codes</c> table.</summary>
public sealed class PostgresEnrolmentCodes(PostgresDatabase db) : IEnrolmentCodes
{
    public Task AddAsync(string codeHash, PatientId patient, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(codeHash);
        ArgumentNullException.ThrowIfNull(patient);
        return db.WriteAsync((c, tx) => ExecuteAsync(c, tx,
            "INSERT INTO enrolment_codes (code_hash, patient, created_at, expires_at) VALUES (@h, @p, @c, @e)", ct,
            ("h", codeHash), ("p", patient.Text), ("c", PgTime.Utc(createdAt)), ("e", PgTime.Utc(expiresAt))), ct);
    }

    public Task<EnrolmentCodeRecord?> FindAsync(string codeHash, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var cmd = Command(c, null, "SELECT patient, created_at, expires_at, used_at FROM enrolment_codes WHERE code_hash = @h", ("h", codeHash));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
        return new EnrolmentCodeRecord(PatientId.Parse(r.GetString(0)), PgTime.Read(r, 1), PgTime.Read(r, 2),
            PgTime.ReadOptional(r, 3));
    }, ct);

    public Task<PatientId?> RedeemAsync(string codeHash, DateTimeOffset at, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await ScalarAsync(c, tx, """
            UPDATE enrolment_codes SET used_at = @at
            WHERE code_hash = @h AND used_at IS NULL AND expires_at > @at
            RETURNING patient
            """, ct, ("h", codeHash), ("at", PgTime.Utc(at))).ConfigureAwait(false) is string patient ? PatientId.Parse(patient) : null, ct);
}
