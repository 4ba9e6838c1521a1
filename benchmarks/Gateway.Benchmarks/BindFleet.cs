using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Binds a whole simulated fleet in one process through the store API that <c>devices bind</c> uses (1,000 CLI
/// processes would take minutes). Each device gets its own patient.
/// </summary>
internal static class BindFleet
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var storePath = Arg("--store") ?? throw new ArgumentException("--store <path> is required");
        var ids = await File.ReadAllLinesAsync(Arg("--ids") ?? throw new ArgumentException("--ids <file> is required"));
        using var store = await BenchStore.OpenAsync(storePath);
        var n = 0;
        foreach (var id in ids.Where(i => i.Length > 0))
            await store.Bindings.BindAsync(id, PatientId.Parse($"Patient/bench-{++n}"), DateTimeOffset.UtcNow, default);
        Console.WriteLine($"bound {n} devices");
        return 0;
    }
}
