using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Issues MQTT credentials to a whole simulated fleet in one process through the store API that
/// <c>devices credentials</c> uses (1,000 CLI processes would take minutes). Every device gets the same password but
/// its own salt, as issued credentials would have: each CONNECT then costs the broker a full PBKDF2 verify, and the
/// simulator can log every device in with <c>--password-for-all</c>.
/// </summary>
internal static class CredentialsFleet
{
    public static async Task<int> RunAsync(string[] args)
    {
        var ids = await FleetArgs.IdsAsync(args);
        var password = FleetArgs.Value(args, "--password") ?? throw new ArgumentException("--password <secret> is required");
        var iterations = FleetArgs.Value(args, "--iterations") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : MqttOptions.DefaultCredentialIterations;

        // PBKDF2 is the slow part: hash on every core, then store one after the other.
        var hashes = new string[ids.Length];
        Parallel.For(0, ids.Length, i => hashes[i] = MosquittoPasswordHash.Create(password, iterations).ToString());
        using var store = await FleetArgs.OpenStoreAsync(args);
        var credentials = store.Get<IDeviceCredentials>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < ids.Length; i++)
            await credentials.SetAsync(ids[i], hashes[i], now, default);
        Console.WriteLine($"issued credentials to {ids.Length} devices ({iterations} iterations)");
        return 0;
    }
}
