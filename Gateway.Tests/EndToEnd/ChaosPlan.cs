using System.Globalization;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// What one chaos run does and when, all derived from one seed so that a failing run can be replayed
/// (<c>CHAOS_SEED=n</c>): when the gateway is killed and for how long it stays down, when the EHR's 30 s outage
/// starts, which device the EHR refuses, and the simulator's own seed.
/// </summary>
internal sealed record ChaosPlan(
    int Seed, TimeSpan KillAt, TimeSpan RestartAfter, TimeSpan OutageAt, TimeSpan OutageFor, int RefusedDeviceIndex, int SimulatorSeed)
{
    public const string SeedVariable = "CHAOS_SEED";

    /// <summary>Readings per run (issue 4) and how fast the devices send them: 20 s of streaming.</summary>
    public const int Readings = 2000;
    public const int Rate = 100;

    /// <summary>The seed from <see cref="SeedVariable"/>, or a fresh random one.</summary>
    public static int SeedFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next(1, int.MaxValue);

    public static ChaosPlan From(int seed, int devices)
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
            SimulatorSeed: random.Next(1, 100_000));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{SeedVariable}={Seed}: kill -9 at {KillAt.TotalSeconds:0.0} s, restart {RestartAfter.TotalSeconds:0.0} s later; EHR down at {OutageAt.TotalSeconds:0.0} s for {OutageFor.TotalSeconds:0} s; refused device #{RefusedDeviceIndex}; simulator seed {SimulatorSeed}");
}
