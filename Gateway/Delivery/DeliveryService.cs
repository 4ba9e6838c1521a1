using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Drains the outbox into the EHR through the <c>Ehr:Profile</c>'s <see cref="IEhrSender"/>. A reading leaves the
/// outbox only on a verified acknowledgement; a failure that may be the reading's schedules its next attempt (backoff
/// with jitter); a permanent refusal becomes a dead letter with the server's answer. What is the server's, not the
/// reading's, is flow control and counts no attempt: a 429 (or 503 with Retry-After) pauses every sender until then;
/// 401 after a token refresh, 403, 404 and 405 pause delivery as a configuration fault (<see cref="DeliveryHealth"/>),
/// probed with one request every <c>Ehr:Retry:ProbeInterval</c>; timeouts and 429s make requests fewer and Bundles
/// smaller (<see cref="FlowControl"/>); a Bundle that timed out, was refused for its size or met a server error is
/// split (<see cref="BatchDelivery"/>).
/// <para>
/// Up to <c>Ehr:MaxConcurrency</c> requests are in flight (fewer while the EHR pushes back), each carrying one reading
/// or, for transactions, up to <c>Ehr:Batch:MaxSize</c> readings (a Bundle that is not full waits up to
/// <c>Ehr:Batch:Linger</c> for more). Per-device order: a device's readings go out in effective-time order with at
/// most one request of that device in flight (the store hands out only the heads of device queues,
/// <see cref="IOutbox.GetDueAsync"/>); a dead-lettered reading frees its device at once, and so does a reading that
/// fails alone with server errors while the EHR accepts others (isolated), so a poison reading never blocks the
/// readings behind it for longer than the split that finds it.
/// </para>
/// </summary>
public sealed class DeliveryService : BackgroundService
{
    /// <summary>How long the loop sleeps when nothing is due and nobody signals; bounds the delay for work another process (the CLI) queued.</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly HashSet<long> _inFlight = [];
    private readonly Lock _gate = new();
    private readonly IOutbox _store;
    private readonly IEhrSender _sender;
    private readonly DeliveryTrigger _trigger;
    private readonly TimeProvider _time;
    private readonly EhrOptions _options;
    private readonly ILogger<DeliveryService> _logger;
    private readonly DeliveryHealth _health;
    private readonly OutcomeRecorder _recorder;
    private readonly BatchDelivery _delivery;
    private readonly EhrCompatibility _compatibility;

    public DeliveryService(
        IOutbox store,
        ReadingMapper mapper,
        IEhrSender sender,
        RetryPolicy retry,
        DeliveryTrigger trigger,
        GatewayMetrics metrics,
        TimeProvider time,
        IOptions<EhrOptions> options,
        ILogger<DeliveryService> logger,
        PreSendValidation preSend,
        EhrCompatibility compatibility,
        DeliveryHealth? health = null,
        IDeviceInformation? devices = null,
        GatewayDeviceRegistration? registration = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _sender = sender;
        _trigger = trigger;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _health = health ?? new DeliveryHealth();
        _compatibility = compatibility;
        Flow = new FlowControl(_options.MaxConcurrency, Math.Max(1, sender.MaxReadingsPerRequest), _options.Timeout, time, logger);
        _recorder = new OutcomeRecorder(store, retry, metrics, time, _options.Retry, _health, logger);
        _delivery = new BatchDelivery(mapper, sender, preSend, compatibility, Flow, _recorder, logger, devices, registration);
    }

    /// <summary>The requests in flight and the Bundle size now, as the EHR's answers have shaped them.</summary>
    public FlowControl Flow { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batching = _sender.MaxReadingsPerRequest > 1;
        var linger = batching ? _options.Batch.Linger : TimeSpan.Zero;
        var running = new List<Task>();
        DateTimeOffset? lingerSince = null;
        try
        {
            // With Ehr:Preset auto, the first request waits until the EHR's CapabilityStatement said who it is (or the
            // server answered without saying): a Medplum server refuses every blood pressure sent without its preset.
            await _compatibility.PresetSettled.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                var pause = _recorder.PausedUntil - _time.GetUtcNow();
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                // Paused for a configuration fault: one reading at a time probes whether it has been fixed.
                var probing = _health.Paused;
                var limit = probing ? 1 : Flow.Concurrency;
                var batchSize = probing || !batching ? 1 : Flow.BatchSize;
                var free = limit - running.Count;
                if (free <= 0)
                {
                    await Task.WhenAny(running).WaitAsync(stoppingToken).ConfigureAwait(false);
                    continue;
                }
                HashSet<long> exclude;
                lock (_gate) exclude = [.. _inFlight];
                var due = await _store.GetDueAsync(_time.GetUtcNow(), free * batchSize, exclude, headsOnly: batchSize == 1, stoppingToken)
                    .ConfigureAwait(false);
                if (due.Count == 0)
                {
                    lingerSince = null;
                    await _trigger.WaitAsync(await IdleDelayAsync(stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                if (due.Count < batchSize && linger > TimeSpan.Zero)
                {
                    // Not a full Bundle yet: give the readings arriving now a moment to join it (each commit wakes the
                    // loop to look again), but never hold the first one longer than Linger.
                    lingerSince ??= _time.GetUtcNow();
                    var left = lingerSince.Value + linger - _time.GetUtcNow();
                    if (left > TimeSpan.Zero)
                    {
                        await _trigger.WaitAsync(left, stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                }
                lingerSince = null;
                foreach (var batch in FormBatches(due, batchSize, free))
                {
                    lock (_gate)
                    {
                        foreach (var entry in batch)
                            _inFlight.Add(entry.Id);
                    }
                    running.Add(DeliverAndReleaseAsync(batch, stoppingToken));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store itself failed (disk, lock); nothing was lost, the entries stay in the outbox. Back off and go on.
                DeliveryLog.LoopFailed(_logger, ex);
                await Task.Delay(IdlePoll, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>
    /// Splits due entries (oldest first) into at most <paramref name="maxBatches"/> requests of at most
    /// <paramref name="batchSize"/> readings such that all of a device's entries are in one request, in order. An entry
    /// that does not fit waits for the next round, and so does every later entry of its device.
    /// </summary>
    private static List<List<OutboxEntry>> FormBatches(IReadOnlyList<OutboxEntry> due, int batchSize, int maxBatches)
    {
        var batches = new List<List<OutboxEntry>>();
        var batchOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in due)
        {
            var device = entry.Reading.DeviceId;
            if (held.Contains(device))
                continue;
            if (!batchOf.TryGetValue(device, out var b))
            {
                if (batches.Count > 0 && batches[^1].Count < batchSize)
                {
                    b = batches.Count - 1;
                }
                else if (batches.Count < maxBatches)
                {
                    batches.Add(new List<OutboxEntry>(Math.Min(batchSize, due.Count)));
                    b = batches.Count - 1;
                }
                else
                {
                    held.Add(device);
                    continue;
                }
                batchOf[device] = b;
            }
            if (batches[b].Count < batchSize)
                batches[b].Add(entry);
            else
                held.Add(device);
        }
        return batches;
    }

    private async Task<TimeSpan> IdleDelayAsync(CancellationToken ct)
    {
        var next = await _store.GetNextDueAsync(ct).ConfigureAwait(false);
        if (next is null) return IdlePoll;
        var wait = next.Value - _time.GetUtcNow();
        return wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait < IdlePoll ? wait : IdlePoll;
    }

    private async Task DeliverAndReleaseAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken ct)
    {
        try
        {
            await _delivery.DeliverAsync(batch, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the entries stay in the outbox and are sent after the restart (conditional creates and the
            // single-post ledger make a resend of something the EHR already has harmless).
        }
        catch (Exception ex)
        {
            // The store failed while recording an outcome: the entries stay in the outbox and are sent again.
            DeliveryLog.LoopFailed(_logger, ex);
        }
        finally
        {
            lock (_gate)
            {
                foreach (var entry in batch)
                    _inFlight.Remove(entry.Id);
            }
            // Wakes the loop: a request slot is free, and postponed readings may be due again at once.
            _trigger.ReadingsQueued();
        }
    }
}
