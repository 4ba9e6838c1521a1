using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Storage;

/// <summary>Start-up checks for <see cref="StorageOptions"/>; every message names its configuration key.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    internal static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);
    internal static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                ValidatePath(options.Path, failures);
                break;
            case StorageProvider.Postgres:
                ValidateConnectionString(options.ConnectionString, failures);
                if (options.LeaseDuration < MinLeaseDuration || options.LeaseDuration > MaxLeaseDuration)
                {
                    failures.Add($"Storage:LeaseDuration '{options.LeaseDuration}' must be between {MinLeaseDuration} and {MaxLeaseDuration}.");
                }
                break;
            default:
                failures.Add($"Storage:Provider '{options.Provider}' is not supported; use 'Sqlite' or 'Postgres'.");
                break;
        }

        if (!Enum.IsDefined(options.Synchronous))
        {
            failures.Add($"Storage:Synchronous '{options.Synchronous}' is not supported; use 'Full' (the default) or 'Normal'.");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > MaxBusyTimeout)
        {
            failures.Add($"Storage:BusyTimeout '{options.BusyTimeout}' must be greater than zero and at most {MaxBusyTimeout}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <remarks>The connection string holds the password: no message quotes it, nor the parser's complaint about it.</remarks>
    private static void ValidateConnectionString(string? connectionString, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add("Storage:Provider 'Postgres' needs Storage:ConnectionString " +
                "(e.g. 'Host=db.example;Database=vitals;Username=gateway;Password=...'); it is empty.");
            return;
        }
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host) || string.IsNullOrWhiteSpace(builder.Database))
            {
                failures.Add("Storage:ConnectionString must name the server (Host=) and the database (Database=) for Storage:Provider 'Postgres'.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            failures.Add("Storage:ConnectionString is not a valid PostgreSQL (Npgsql) connection string; check its keywords and separators.");
        }
    }

    private static void ValidatePath(string? path, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"Storage:Path is empty; it must name the SQLite file (default '{StorageOptions.DefaultPath}').");
            return;
        }
        // The worker and the CLI are separate processes that must meet in one file; an in-memory or temporary
        // database would give each its own store.
        if (path.Trim() == ":memory:" || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"Storage:Path '{path}' must be a file path; in-memory and URI databases are not supported.");
            return;
        }
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            failures.Add($"Storage:Path '{path}' is not a valid file path: {e.Message}");
            return;
        }
        if (Path.EndsInDirectorySeparator(path) || Directory.Exists(full))
        {
            failures.Add($"Storage:Path '{path}' names a directory; it must name the SQLite file (e.g. '{StorageOptions.DefaultPath}').");
        }
    }
}
