using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Binds a whole simulated fleet in one process through the store API that <c>devices bind</c> uses (1,000 CLI
/// processes would take minutes). Each device gets its own patient; its quarantined readings move to the outbox.
/// </summary>
internal static class BindFleet
{
    public static async Task<int> RunAsync(string[] args)
    {
        var ids = await FleetArgs.IdsAsync(args);
        using var store = await FleetArgs.OpenStoreAsync(args);
        var n = 0;
        var released = 0;
        foreach (var id in ids)
            released += await store.Bindings.BindAsync(id, null, PatientId.Parse($"Patient/bench-{++n}"), DateTimeOffset.UnixEpoch, default);
        Console.WriteLine($"bound {n} devices, {released} quarantined readings moved to the outbox");
        return 0;
    }
}
