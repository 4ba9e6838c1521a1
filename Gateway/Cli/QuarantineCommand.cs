using Microsoft.Extensions.DependencyInjection;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary><c>quarantine list|release</c>: readings kept because no binding of their slot covers their time.</summary>
internal static class QuarantineCommand
{
    private const string Help = """
        Usage: Vitals.Gateway quarantine <list | release> [--device <id>] [--limit <n>]

          list      quarantined readings (newest first), optionally of one device
          release   send each quarantined reading (all, or --device) to the outbox under the binding of its
                    own slot (device, user) whose validity contains its time; the others stay. Binding a slot
                    with 'devices bind' releases its readings inside the new binding's validity
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = GatewayCommandLine.Parse(args, ["device", "limit"]);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;

        using var services = GatewayCommandLine.BuildCliServices();
        var store = await services.OpenStoreAsync<IQuarantine>().ConfigureAwait(false);
        switch (sub)
        {
            case "list":
                var table = new TextTable("READING", "DEVICE", "USER", "KIND", "MEASURED AT", "RECEIVED AT");
                foreach (var q in await store.ListQuarantineAsync(a.Value("device"), a.IntValue("limit", 100), CancellationToken.None).ConfigureAwait(false))
                    table.Add(q.ReadingId, q.DeviceId, q.Reading.UserId, q.Reading.Kind.ToTopicName(), q.Reading.EffectiveTime, q.ReceivedAt);
                table.WriteTo(Console.Out, "quarantine is empty");
                return ExitCodes.Ok;
            case "release":
                var moved = await store.ReleaseQuarantineAsync(a.Value("device"), CancellationToken.None).ConfigureAwait(false);
                Console.Out.WriteLine($"{moved} reading(s) released to the outbox (readings outside every binding of their slot stay quarantined)");
                return ExitCodes.Ok;
            default:
                throw new UsageException($"unknown quarantine command '{sub}' (list, release)");
        }
    }
}
