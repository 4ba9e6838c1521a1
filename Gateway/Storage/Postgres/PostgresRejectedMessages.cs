using static Vitals.Gateway.Storage.Postgres.PostgresDatabase;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary><see cref="IRejectedMessages"/>: the <c>rejected</c> table.</summary>
public sealed class PostgresRejectedMessages(PostgresDatabase db) : IRejectedMessages
{
    public Task<IReadOnlyList<RejectedMessage>> ListRejectedAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync<IReadOnlyList<RejectedMessage>>(async c =>
        {
            await using var cmd = Command(c, null, "SELECT id, received_at, origin, reason, payload FROM rejected ORDER BY id DESC LIMIT @n", ("n", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<RejectedMessage>();
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new RejectedMessage(r.GetInt64(0), PgTime.Read(r, 1), r.GetString(2), r.GetString(3), (byte[])r.GetValue(4)));
            }
            return list;
        }, ct);
    }
}
