using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary><c>rejected list</c>: every message that could not become a reading, with its reason.</summary>
internal static class RejectedCommand
{
    private const string Help = """
        Usage: Vitals.Gateway rejected list [--limit <n>] [--payload]

          list        rejected messages, newest first, with topic, sender and reason
          --payload   also print each payload (UTF-8 text, or hex when it is not text)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = GatewayCommandLine.Parse(args, ["limit"], ["payload"]);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;
        if (sub != "list") throw new UsageException($"unknown rejected command '{sub}' (list)");

        using var services = GatewayCommandLine.BuildCliServices();
        var store = await services.OpenStoreAsync<IRejectedMessages>().ConfigureAwait(false);
        var rows = await store.ListRejectedAsync(a.IntValue("limit", 100), CancellationToken.None).ConfigureAwait(false);
        var table = new TextTable("ID", "RECEIVED AT", "FROM", "REASON");
        // Origins and reasons quote what a sender chose (topics, client ids): nothing of it may act on the terminal.
        foreach (var r in rows) table.Add(r.Id, r.ReceivedAt, SafeText.ForTerminal(r.Origin), SafeText.ForTerminal(r.Reason));
        table.WriteTo(Console.Out, "no rejected messages");
        if (a.Flag("payload"))
            foreach (var r in rows) Console.Out.WriteLine($"#{r.Id} payload: {PayloadText.Describe(r.Payload)}");
        return ExitCodes.Ok;
    }
}
