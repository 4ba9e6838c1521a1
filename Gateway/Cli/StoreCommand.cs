using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>store migrate</c> (not in the usage text: deployment scripts and tests use it): opens the configured store and
/// brings its schema to this version, then exits. Safe to run from several hosts at once (docs/storage.md
/// "Migrations"); the worker does the same at start-up, so a deployment need not run it.
/// </summary>
internal static class StoreCommand
{
    private const string Help = """
        Usage: Vitals.Gateway store migrate

          migrate                 bring the configured store's schema to this version, then exit
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = GatewayCommandLine.Parse(args, [], []);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;
        if (sub != "migrate")
            throw new UsageException($"unknown store command '{sub}' (migrate)");

        using var services = GatewayCommandLine.BuildCliServices();
        await services.OpenStoreAsync<IStoreInitializer>().ConfigureAwait(false);
        Console.Out.WriteLine("store schema is up to date");
        return ExitCodes.Ok;
    }
}
