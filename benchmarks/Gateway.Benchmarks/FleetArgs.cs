namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// The options the fleet verbs share (<c>bind</c>, <c>credentials-fleet</c>): a store (<c>--store PATH</c>, SQLite, or
/// <c>--connection-string CS</c>, PostgreSQL) and a file of device ids.
/// </summary>
internal static class FleetArgs
{
    public static string? Value(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    public static string Store(string[] args) => Value(args, "--store") ?? throw new ArgumentException("--store <path> is required");

    /// <summary>The SQLite store of <c>--store</c>, or the PostgreSQL database of <c>--connection-string</c>.</summary>
    public static Task<BenchStore> OpenStoreAsync(string[] args) => Value(args, "--connection-string") is { } cs
        ? BenchStore.OpenAsync(new Dictionary<string, string?> { ["Storage:Provider"] = "Postgres", ["Storage:ConnectionString"] = cs })
        : BenchStore.OpenAsync(Store(args));

    /// <summary>The device ids of <c>--ids</c>, one a line (what <c>--list-devices</c> of the simulator prints).</summary>
    public static async Task<string[]> IdsAsync(string[] args) =>
        (await File.ReadAllLinesAsync(Value(args, "--ids") ?? throw new ArgumentException("--ids <file> is required")).ConfigureAwait(false))
            .Where(i => i.Length > 0).ToArray();
}
