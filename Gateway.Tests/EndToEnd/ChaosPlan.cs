using System.Globalization;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// What one chaos run does and when, all derived from one seed so that a failing run can be replayed
/// (<c>CHAOS_SEED=n</c>): when the gateway is killed and for how long it stays down, when the EHR's 30 s outage
/// starts, which device the EHR refuses, and the simulator's own seed; and the sandbox's fault switches for the whole
/// run: every n-th write answered 429 or 503 with Retry-After 1, added latency per request, and Medplum's write quota
/// (429 with only RateLimit) set low enough to be crossed. With <c>CHAOS_POISON=1</c> (opt-in: it needs the delivery
/// loop to isolate a reading that a 5xx follows, issue 12 item 3) one stored reading's identifier is poisoned (500 for
/// every write carrying it) at <see cref="PoisonAt"/>.
/// </summary>
internal sealed record ChaosPlan(
    int Seed, TimeSpan KillAt, TimeSpan RestartAfter, TimeSpan OutageAt, TimeSpan OutageFor, int RefusedDeviceIndex, int SimulatorSeed,
    int EveryStatus, int Every, TimeSpan Latency, int WritesPerMinute, TimeSpan? PoisonAt)
{
    public const string SeedVariable = "CHAOS_SEED";
    public const string PoisonVariable = "CHAOS_POISON";

    /// <summary>Readings per run (issue 4) and how fast the devices send them: 20 s of streaming.</summary>
    public const int Readings = 2000;
    public const int Rate = 100;

    /// <summary>The seed from <see cref="SeedVariable"/>, or a fresh random one.</summary>
    public static int SeedFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next(1, int.MaxValue);

    public static ChaosPlan From(int seed, int devices) =>
        From(seed, devices, Environment.GetEnvironmentVariable(PoisonVariable) == "1");

    public static ChaosPlan From(int seed, int devices, bool poison)
    {
        var random = new Random(seed);
        var streaming = TimeSpan.FromSeconds((double)Readings / Rate);
        // The kill can fall anywhere from the first readings to well after the last one, i.e. during ingest, during
        // the outage or during the catch-up after it; the outage starts while readings still stream in.
        return new ChaosPlan(
            seed,
            KillAt: TimeSpan.FromSeconds(0.5 + random.NextDouble() * (streaming.TotalSeconds + 20)),
            RestartAfter: TimeSpan.FromSeconds(0.2 + random.NextDouble() * 3),
            OutageAt: TimeSpan.FromSeconds(1 + random.NextDouble() * (streaming.TotalSeconds / 2)),
            OutageFor: TimeSpan.FromSeconds(30),
            RefusedDeviceIndex: random.Next(devices),
            SimulatorSeed: random.Next(1, 100_000),
            EveryStatus: random.Next(2) == 0 ? 429 : 503,
            // Every 10th to 20th write: enough to hit every phase (and the splits around the refused device); each
            // Retry-After 1 s pauses the whole loop today, so more would be a throttling test (issue 12 item 2), not chaos.
            Every: random.Next(10, 21),
            Latency: TimeSpan.FromMilliseconds(random.Next(0, 41)),
            // About 2,700 Observation writes and their resends: the quota is crossed once or twice, and each 429
            // says how long until its 60 s window resets (RateLimit t=), which the gateway waits out.
            WritesPerMinute: random.Next(2500, 3501),
            PoisonAt: poison ? TimeSpan.FromSeconds(2 + random.NextDouble() * (streaming.TotalSeconds - 4)) : null);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{SeedVariable}={Seed}: kill -9 at {KillAt.TotalSeconds:0.0} s, restart {RestartAfter.TotalSeconds:0.0} s later; EHR down at {OutageAt.TotalSeconds:0.0} s for {OutageFor.TotalSeconds:0} s; refused device #{RefusedDeviceIndex}; simulator seed {SimulatorSeed}; {Switches}");

    /// <summary>The sandbox's fault switches of this run, for the report.</summary>
    public string Switches => string.Create(CultureInfo.InvariantCulture,
        $"every {Every}th write {EveryStatus}, latency {Latency.TotalMilliseconds:0} ms, quota {WritesPerMinute}/min{(PoisonAt is { } p ? $", poison at {p.TotalSeconds:0.0} s" : "")}");
}
