using Microsoft.Extensions.DependencyInjection;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary><c>outbox status|dead|replay|purge</c>: what waits for the EHR, and what the EHR refused.</summary>
internal static class OutboxCommand
{
    private const string Help = """
        Usage: Vitals.Gateway outbox <status | dead | replay | purge> [options]

          status                  counts: pending, due, retrying, delivered, dead letters, quarantined, rejected
          dead [--limit <n>] [--details]
                                  dead letters (readings the EHR refused for good) with the reason;
                                  --details adds the request and the server's response
          replay (--id <n> | --all)
                                  put dead letters back into the outbox (after fixing the cause)
          purge (--id <n> | --all)
                                  delete dead letters (the reading's history stays)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = GatewayCommandLine.Parse(args, ["limit", "id"], ["all", "details"]);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;
        if (sub is not ("status" or "dead" or "replay" or "purge"))
            throw new UsageException($"unknown outbox command '{sub}' (status, dead, replay, purge)");

        using var services = GatewayCommandLine.BuildCliServices();
        var store = await services.OpenStoreAsync<IDeadLetters>().ConfigureAwait(false);
        var ct = CancellationToken.None;
        switch (sub)
        {
            case "status":
                var s = await services.GetRequiredService<IStoreStatus>().GetOutboxStatusAsync(ct).ConfigureAwait(false);
                Console.Out.WriteLine($"pending:      {s.Pending}");
                Console.Out.WriteLine($"  due now:    {s.Due}");
                Console.Out.WriteLine($"  retrying:   {s.Retrying}");
                Console.Out.WriteLine($"  oldest:     {(s.OldestPending is { } o ? o.ToString("O") : "-")}");
                Console.Out.WriteLine($"delivered:    {s.Delivered}");
                Console.Out.WriteLine($"dead letters: {s.DeadLetters}");
                Console.Out.WriteLine($"quarantined:  {s.Quarantined}");
                Console.Out.WriteLine($"rejected:     {s.Rejected}");
                return ExitCodes.Ok;
            case "dead":
                var dead = await store.ListDeadLettersAsync(a.IntValue("limit", 100), ct).ConfigureAwait(false);
                var table = new TextTable("ID", "FAILED AT", "DEVICE", "KIND", "ATTEMPTS", "STATUS", "REASON");
                foreach (var d in dead)
                    table.Add(d.Id, d.FailedAt, d.DeviceId, d.Reading?.Kind.ToTopicName() ?? "(unreadable)", d.Attempts, d.Why.HttpStatus, d.Why.Reason);
                table.WriteTo(Console.Out, "no dead letters");
                if (a.Flag("details"))
                    foreach (var d in dead)
                    {
                        Console.Out.WriteLine($"#{d.Id} original payload ({d.Origin}): {PayloadText.Describe(d.Payload)}");
                        Console.Out.WriteLine($"#{d.Id} request: {d.Why.Request ?? "-"}");
                        Console.Out.WriteLine($"#{d.Id} response: {d.Why.Response ?? "-"}");
                    }
                return ExitCodes.Ok;
            default:
                var id = a.Value("id") is { } text
                    ? (long.TryParse(text, out var n) && n > 0 ? n : throw new UsageException($"--id must be a dead letter id, got '{text}'"))
                    : (long?)null;
                if (id is null && !a.Flag("all")) throw new UsageException($"{sub} needs --id <n> or --all");
                if (id is not null && a.Flag("all")) throw new UsageException("use --id or --all, not both");
                var count = sub == "replay"
                    ? await store.ReplayDeadLettersAsync(id, ct).ConfigureAwait(false)
                    : await store.PurgeDeadLettersAsync(id, ct).ConfigureAwait(false);
                if (id is not null && count == 0)
                {
                    await Console.Error.WriteLineAsync($"error: no dead letter with id {id}").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                Console.Out.WriteLine(sub == "replay" ? $"{count} dead letter(s) back in the outbox" : $"{count} dead letter(s) purged");
                return ExitCodes.Ok;
        }
    }
}
