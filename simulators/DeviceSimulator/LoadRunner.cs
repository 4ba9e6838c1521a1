using System.Collections.Concurrent;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The <c>load</c> verb: the simulator's run (<see cref="SimulatorRunner"/>) with a progress line every second, the
/// gateway's resident memory sampled from /proc, and, with the gateway's store, each reading's committed -> EHR
/// acknowledged time (<see cref="CommittedToEhr"/>).
/// </summary>
public sealed class LoadRunner(LoadOptions options, TimeProvider time, TextWriter log, LoadProgress progress)
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <exception cref="SimulatorConnectException">A connection to the broker could not be made.</exception>
    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var sim = options.Simulator;
        ConcurrentDictionary<string, DateTimeOffset>? committed = options.StorePath is null ? null : new(StringComparer.Ordinal);
        var runner = new SimulatorRunner(sim, time, log, (message, at) =>
        {
            // Only good readings reach the EHR; a malformed one acknowledged by a plain broker has nothing to match.
            if (committed is not null && message.Malformed is null) committed[CommittedToEhr.Key(message.Device.Id, message.Sequence)] = at;
        }, logProgress: false);

        var samples = new List<RssSample>();
        var started = time.GetTimestamp();
        var run = runner.RunAsync(cancellationToken);
        var nextSample = options.SampleEvery;
        var lastLatencyCount = 0;
        var lastAcked = 0L;
        var lastTick = started;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(Tick, time, CancellationToken.None)).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            var memory = options.GatewayPid is { } pid ? ProcessMemory.Read(pid) : null;
            if (memory is { } m && elapsed >= nextSample)
            {
                samples.Add(new RssSample(Math.Round(elapsed.TotalSeconds, 1), Math.Round(m.RssMb, 1)));
                nextSample += options.SampleEvery;
            }
            var count = runner.Latency.Count;
            var lastSecond = runner.Latency.Summarise(lastLatencyCount);
            lastLatencyCount = count;
            var acked = runner.AckedSoFar;
            var perSecond = (acked - lastAcked) / Math.Max(time.GetElapsedTime(lastTick).TotalSeconds, 1e-3);
            lastAcked = acked;
            lastTick = time.GetTimestamp();
            progress.Show(elapsed, LoadProgress.Format(elapsed, sim.Duration ?? elapsed, runner.SentSoFar, acked, runner.FailedSoFar,
                perSecond, lastSecond, memory?.RssMb));
        }
        progress.Done();
        var report = await run.ConfigureAwait(false);

        LatencySummary? committedToEhr = null;
        long? undelivered = null;
        if (committed is not null && options.StorePath is { } path)
        {
            var deliveries = new StoreDeliveries(path);
            await WaitForDeliveriesAsync(deliveries, committed.Count).ConfigureAwait(false);
            (committedToEhr, undelivered) = CommittedToEhr.Measure(committed, deliveries.ReadDelivered());
        }
        var final = options.GatewayPid is { } gatewayPid ? ProcessMemory.Read(gatewayPid) : null;

        return new LoadReport
        {
            Devices = report.Devices,
            Clients = report.Clients,
            RatePerSecond = sim.Rate,
            DurationSeconds = report.DurationSeconds,
            Sent = report.Sent,
            Acked = report.Acked,
            Failed = report.Failed,
            Rejected = report.Rejected,
            ThroughputPerSecond = report.ThroughputPerSecond,
            PublishToCommittedMs = report.LatencyMs,
            CommittedToEhrMs = committedToEhr,
            Undelivered = undelivered,
            GatewayPid = options.GatewayPid,
            PeakRssMb = final is { } f ? Math.Round(f.PeakRssMb, 1) : null,
            MaxSampledRssMb = samples.Count > 0 ? samples.Max(s => s.RssMb) : null,
            RssSpreadPercent = RssSeries.SpreadPercent(samples, options.Warmup),
            WarmupSeconds = options.Warmup.TotalSeconds,
            RssSamples = samples,
        };
    }

    /// <summary>Until the store has delivered as many readings as this run committed, or the drain time is over.</summary>
    private async Task WaitForDeliveriesAsync(StoreDeliveries deliveries, long expected)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var delivered = deliveries.CountDelivered();
            var elapsed = time.GetElapsedTime(started);
            progress.Show(elapsed, $"load: {delivered} of {expected} committed readings delivered ({elapsed.TotalSeconds:F0}/{options.Drain.TotalSeconds:F0} s)");
            if (delivered >= expected || elapsed >= options.Drain) break;
            await Task.Delay(Tick, time).ConfigureAwait(false);
        }
        progress.Done();
    }
}
