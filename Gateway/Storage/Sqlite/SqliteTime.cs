using System.Globalization;

namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// Instants in the store are fixed-width UTC ISO-8601 text (<c>2026-11-25T07:30:00.0000000Z</c>): exact to the tick,
/// readable in the sqlite3 shell, and ordered correctly by plain text comparison, which the outbox order, the due
/// check and the last-seen maximum rely on. The offset a device sent is kept in the reading's JSON.
/// </summary>
internal static class SqliteTime
{
    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        new(DateTime.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), TimeSpan.Zero);
}
