using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IEnrolmentCodes"/>: the <c>enrolment_codes</c> table.</summary>
public sealed class SqliteEnrolmentCodes(SqliteDatabase db) : IEnrolmentCodes
{
    public Task AddAsync(string codeHash, PatientId patient, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(codeHash);
        ArgumentNullException.ThrowIfNull(patient);
        return db.WriteAsync((c, tx) => Execute(c, tx,
            "INSERT INTO enrolment_codes (code_hash, patient, created_at, expires_at) VALUES ($h, $p, $c, $e)",
            ("$h", codeHash), ("$p", patient.Text), ("$c", SqliteTime.Format(createdAt)), ("$e", SqliteTime.Format(expiresAt))), ct);
    }

    public Task<EnrolmentCodeRecord?> FindAsync(string codeHash, CancellationToken ct) => db.ReadAsync(c =>
    {
        using var cmd = Command(c, null, "SELECT patient, created_at, expires_at, used_at FROM enrolment_codes WHERE code_hash = $h", ("$h", codeHash));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new EnrolmentCodeRecord(PatientId.Parse(r.GetString(0)), SqliteTime.Parse(r.GetString(1)), SqliteTime.Parse(r.GetString(2)), OptionalTime(r, 3))
            : null;
    }, ct);

    public Task<PatientId?> RedeemAsync(string codeHash, DateTimeOffset at, CancellationToken ct) => db.WriteAsync((c, tx) =>
        Scalar(c, tx, """
            UPDATE enrolment_codes SET used_at = $at
            WHERE code_hash = $h AND used_at IS NULL AND expires_at > $at
            RETURNING patient
            """, ("$h", codeHash), ("$at", SqliteTime.Format(at))) is string patient ? PatientId.Parse(patient) : null, ct);
}
