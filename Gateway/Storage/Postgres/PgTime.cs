using Npgsql;

namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// Instants in the PostgreSQL store are <c>timestamptz</c>: passed as UTC <see cref="DateTime"/> and read back as UTC
/// <see cref="DateTimeOffset"/>. PostgreSQL keeps microseconds, so a tick below that is lost; the offset a device sent
/// is kept in the reading's JSON, as in the SQLite store.
/// </summary>
internal static class PgTime
{
    public static DateTime Utc(DateTimeOffset instant) => instant.UtcDateTime;

    public static DateTimeOffset Read(NpgsqlDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc), TimeSpan.Zero);

    public static DateTimeOffset? ReadOptional(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Read(reader, ordinal);
}
