using System.Security.Cryptography;
using System.Text;

namespace Vitals.Gateway.Storage;

/// <summary>
/// The SHA-256 of a migration's SQL, recorded with the migration when it is applied: a shipped migration must never
/// be edited (a store that ran the old text would differ from one that runs the new), so a migration whose recorded
/// checksum differs from the code's is refused at start-up, naming its version.
/// </summary>
public static class MigrationChecksum
{
    /// <summary>Lower-case hex SHA-256 of the UTF-8 text, line endings normalised (a checkout with CRLF is the same migration).</summary>
    public static string Of(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
    }

    public static InvalidOperationException Edited(string store, int version) =>
        new($"The store at {store} has migration {version} applied with a different checksum than this gateway's migration {version}: " +
            "a shipped migration was edited. Restore the migration's original text (later changes belong in a new migration).");
}
