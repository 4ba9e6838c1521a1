using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// Passkeys for pairings still to be made (<c>devices pair &lt;address&gt; --passkey NNNNNN</c>), in the gateway's
/// SQLite file so that the CLI (another process) can hand one to the running worker. A passkey is removed once the
/// pairing succeeded; it is never logged. Its own table and connection: the readings store's schema is not touched.
/// </summary>
public sealed class BlePairingStore(IOptions<StorageOptions> options)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = options.Value.ResolvePath(),
        Mode = SqliteOpenMode.ReadWriteCreate,
        DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.Value.BusyTimeout.TotalSeconds)),
        Pooling = false,
    }.ToString();

    /// <summary>Six decimal digits, as a device displays it (Core spec vol 3 part H 2.3.5.3: 000000-999999).</summary>
    public static bool TryParsePasskey(string? text, out uint passkey)
    {
        passkey = 0;
        return text is { Length: 6 } && text.All(char.IsAsciiDigit)
            && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out passkey);
    }

    public async Task SetAsync(string address, uint passkey, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO ble_pending_pairing(address, passkey, created_at) VALUES ($a, $p, $t) " +
                          "ON CONFLICT(address) DO UPDATE SET passkey = excluded.passkey, created_at = excluded.created_at";
        cmd.Parameters.AddWithValue("$a", address);
        cmd.Parameters.AddWithValue("$p", (long)passkey);
        cmd.Parameters.AddWithValue("$t", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<uint?> GetAsync(string address, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT passkey FROM ble_pending_pairing WHERE address = $a";
        cmd.Parameters.AddWithValue("$a", address);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is long p ? (uint)p : null;
    }

    public async Task RemoveAsync(string address, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM ble_pending_pairing WHERE address = $a";
        cmd.Parameters.AddWithValue("$a", address);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(new SqliteConnectionStringBuilder(_connectionString).DataSource);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        var c = new SqliteConnection(_connectionString);
        try
        {
            await c.OpenAsync(ct).ConfigureAwait(false);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS ble_pending_pairing(address TEXT PRIMARY KEY, passkey INTEGER NOT NULL, created_at TEXT NOT NULL)";
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return c;
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
