using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Storage;

/// <summary>Start-up checks for <see cref="StorageOptions"/>; every message names its configuration key.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    internal static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

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
                failures.Add(
                    "Storage:Provider 'Postgres' is not available in this version of the gateway; " +
                    "use 'Sqlite' (the default) with Storage:Path.");
                break;
            default:
                failures.Add($"Storage:Provider '{options.Provider}' is not supported; use 'Sqlite'.");
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
