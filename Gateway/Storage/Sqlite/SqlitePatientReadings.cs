using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IPatientReadings"/>: readings filed under the patient (never quarantined ones).</summary>
public sealed class SqlitePatientReadings(SqliteDatabase db) : IPatientReadings
{
    public Task<IReadOnlyList<PatientReading>> ListPatientReadingsAsync(PatientId patient, string deviceId, int? user,
        DateTimeOffset since, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var from = SqliteTime.Format(since);
        return db.ReadAsync(c =>
        {
            using var cmd = Command(c, null, """
                SELECT id, reading_json, state, delivered_at FROM readings
                WHERE received_at >= $since AND effective_time >= $since
                  AND patient = $p AND device_id = $d AND user_index IS $u AND state <> 'quarantined'
                ORDER BY effective_time DESC, id DESC LIMIT $n
                """, ("$since", from), ("$p", patient.Text), ("$d", deviceId), ("$u", user), ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<PatientReading>();
            while (r.Read())
            {
                list.Add(new PatientReading(r.GetInt64(0), ReadingJson.Deserialize(r.GetString(1)), PatientReading.ParseState(r.GetString(2)),
                    r.IsDBNull(3) ? null : SqliteTime.Parse(r.GetString(3))));
            }
            return (IReadOnlyList<PatientReading>)list;
        }, ct);
    }
}
