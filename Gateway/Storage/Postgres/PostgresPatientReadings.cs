using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IPatientReadings"/>: readings filed under the patient (never quarantined ones).</summary>
public sealed class PostgresPatientReadings(PostgresDatabase db) : IPatientReadings
{
    public Task<IReadOnlyList<PatientReading>> ListPatientReadingsAsync(PatientId patient, string deviceId, int? user,
        DateTimeOffset since, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync<IReadOnlyList<PatientReading>>(async c =>
        {
            await using var cmd = Command(c, null, """
                SELECT id, reading_json, state, delivered_at FROM readings
                WHERE received_at >= @since AND effective_time >= @since
                  AND patient = @p AND device_id = @d AND user_index IS NOT DISTINCT FROM @u::integer AND state <> 'quarantined'
                ORDER BY effective_time DESC, id DESC LIMIT @n
                """, ("since", PgTime.Utc(since)), ("p", patient.Text), ("d", deviceId), ("u", user), ("n", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<PatientReading>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new PatientReading(r.GetInt64(0), ReadingJson.Deserialize(r.GetString(1)), PatientReading.ParseState(r.GetString(2)),
                    PgTime.ReadOptional(r, 3)));
            }
            return list;
        }, ct);
    }
}
