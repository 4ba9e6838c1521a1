using Vitals.Devices;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class CommittedToEhrTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_gateways_identity_key_of_a_reading_gives_its_device_and_measurement_id()
    {
        // The key the gateway stores today (ReadingIdentity's current scheme), of a reading as the simulator sends it.
        var key = ReadingIdentity.Key(Some.StoredThermometer("sim-body-temperature-0003", measurementId: "17"));
        Assert.StartsWith("v2|", key, StringComparison.Ordinal);
        Assert.Equal(CommittedToEhr.Key("sim-body-temperature-0003", 17), CommittedToEhr.KeyOfIdentity(key));
        // Escaped parts are read back unescaped; without a measurement id there is nothing to match.
        Assert.Equal("a|b|x y", CommittedToEhr.KeyOfIdentity(ReadingIdentity.Key(Some.StoredThermometer("a|b", measurementId: "x y"))));
        Assert.Null(CommittedToEhr.KeyOfIdentity(ReadingIdentity.Key(Some.StoredThermometer("sim-body-temperature-0003"))));
    }

    [Fact]
    public void An_identity_key_of_the_first_scheme_gives_the_device_and_the_measurement_id()
    {
        Assert.Equal("sim-body-weight-0003|17", CommittedToEhr.KeyOfIdentity("sim-body-weight-0003|body-weight|2026-12-05T18:00:00+01:00|17"));
        Assert.Equal("sim-body-weight-0003|17", CommittedToEhr.KeyOfIdentity("sim-body-weight-0003|body-weight|2026-12-05T18:00:00+01:00|17|user:2"));
        Assert.Null(CommittedToEhr.KeyOfIdentity("scale|body-weight|received:2026-12-05T17:00:00.0000000+00:00|"));
        Assert.Equal(CommittedToEhr.Key("sim-body-weight-0003", 17), CommittedToEhr.KeyOfIdentity("sim-body-weight-0003|body-weight|t|17"));
    }

    [Fact]
    public void Each_delivered_reading_of_the_run_counts_from_its_PUBACK_to_its_delivery()
    {
        var committed = new Dictionary<string, DateTimeOffset>();
        for (var i = 1; i <= 100; i++) committed[CommittedToEhr.Key("d", i)] = T0.AddSeconds(i);
        // 98 delivered, reading i after i ms; one reading of another run in the same store.
        var delivered = Enumerable.Range(1, 98).Select(i => ($"d|heart-rate|t|{i}", T0.AddSeconds(i).AddMilliseconds(i)))
            .Append(("other|heart-rate|t|1", T0)).ToList();

        var (latency, undelivered) = CommittedToEhr.Measure(committed, delivered);

        Assert.Equal(new LatencySummary(98, 49, 94, 98, 98), latency);
        Assert.Equal(2, undelivered);
    }
}
