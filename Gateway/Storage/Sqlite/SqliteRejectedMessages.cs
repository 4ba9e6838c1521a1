using System.Globalization;
using Microsoft.Data.Sqlite;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using static Vitals.Gateway.Storage.Sqlite.Sql;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary><see cref="IRejectedMessages"/>: the <c>rejected</c> table.</summary>
public sealed class SqliteRejectedMessages(SqliteDatabase db) : IRejectedMessages
{
    public Task<IReadOnlyList<RejectedMessage>> ListRejectedAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return db.ReadAsync(c =>
        {
            using var cmd = Command(c, null, "SELECT id, received_at, origin, reason, payload FROM rejected ORDER BY id DESC LIMIT $n", ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<RejectedMessage>();
            while (r.Read())
            {
                list.Add(new RejectedMessage(r.GetInt64(0), SqliteTime.Parse(r.GetString(1)), r.GetString(2), r.GetString(3), (byte[])r.GetValue(4)));
            }
            return (IReadOnlyList<RejectedMessage>)list;
        }, ct);
    }
}
