using Microsoft.Extensions.Logging;
using Vitals.Devices;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// One delivery round: maps a batch of outbox entries, sends it through the profile's sender and, when the whole
/// request failed for a reason a smaller request may not meet, splits it in two and sends the halves, down to single
/// readings. Split: a Bundle that timed out (the next ones are smaller too, <see cref="FlowControl"/>), one refused for
/// its size (413, "too many entries"), and one answered with a server error (5xx), which may follow one reading's
/// content: bisecting finds that reading, which then fails alone (see <see cref="OutcomeRecorder"/>).
/// <para>
/// Per-device order: halves are cut between devices when the request holds several, so each half can go on its own;
/// a device's own readings are cut in order and the later half goes only after the earlier one went through, or
/// failed alone with a server error while the EHR accepted other readings (the poisoned reading no longer holds its
/// device). When nothing went through, the EHR is taken to be down, the split stops and the rest waits: an outage
/// costs one request per halving (log2 of the Bundle), not one per reading. A reading that failed alone with no other
/// readings to tell the difference is followed by one probe with the rest, unsplit.
/// </para>
/// </summary>
internal sealed class BatchDelivery(
    ReadingMapper mapper, IEhrSender sender, PreSendValidation preSend, EhrCompatibility compatibility, FlowControl flow,
    OutcomeRecorder recorder, ILogger logger, IDeviceInformation? devices = null, GatewayDeviceRegistration? registration = null)
{
    // Requests that delivered at least one reading, across all rounds in flight: "the EHR accepts other readings".
    private long _acceptingRequests;

    /// <summary>The failure that stopped a part; <see cref="Lone"/> when it was one reading's server error.</summary>
    private sealed record Stop(DeliveryResult.RetryLater Failure, bool Lone);

    public async Task DeliverAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken ct)
    {
        var outgoing = new List<OutgoingReading>(batch.Count);
        // Before mapping: the Observations name the gateway by the id this takes from the store.
        if (registration is not null)
            await registration.EnsureAsync(ct).ConfigureAwait(false);
        var described = await DescribeAsync(batch, ct).ConfigureAwait(false);
        foreach (var entry in batch)
        {
            try
            {
                var mapped = mapper.Map(entry.Reading, entry.Patient, described.GetValueOrDefault(entry.Reading.DeviceId));
                // Checked per reading before it joins a request: an invalid one is a dead letter with the validator's
                // findings and never costs the EHR a round trip (nor, in a transaction, its neighbours' delivery).
                if (await preSend.DeadLetterIfInvalidAsync(entry, mapped, ct).ConfigureAwait(false))
                    continue;
                outgoing.Add(OutgoingReading.FromMapping(entry, mapped, compatibility));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug (mapping) must not take the gateway down or spin: retry later like a transient failure.
                DeliveryLog.DeliveryCrashed(logger, ex, entry.Id);
                await recorder.ScheduleRetryAsync(entry, null, $"internal error: {ex.GetType().Name}").ConfigureAwait(false);
            }
        }
        if (outgoing.Count == 0)
            return;

        var outcomes = new List<ReadingOutcome>(outgoing.Count);
        var start = Interlocked.Read(ref _acceptingRequests);
        try
        {
            await SendPartAsync(outgoing, outcomes, start, split: true, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var done = outcomes.Select(o => o.Entry.Id).ToHashSet();
            foreach (var reading in outgoing.Where(r => !done.Contains(r.Entry.Id)))
            {
                DeliveryLog.DeliveryCrashed(logger, ex, reading.Entry.Id);
                await recorder.ScheduleRetryAsync(reading.Entry, null, $"internal error: {ex.GetType().Name}").ConfigureAwait(false);
            }
            if (outcomes.Count == 0)
                return;
        }
        await recorder.RecordAsync(outcomes, Progress(start)).ConfigureAwait(false);
    }

    /// <summary>
    /// What each device of the batch said about itself, for its Device resource. A store that cannot answer costs the
    /// description, never the delivery: the Devices then carry what the readings alone say.
    /// </summary>
    private async Task<Dictionary<string, DeviceInformation>> DescribeAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken ct)
    {
        var described = new Dictionary<string, DeviceInformation>(StringComparer.Ordinal);
        if (devices is null)
            return described;
        foreach (var deviceId in batch.Select(e => e.Reading.DeviceId).Distinct(StringComparer.Ordinal))
        {
            try
            {
                if (await devices.GetAsync(deviceId, ct).ConfigureAwait(false) is { } record)
                    described[deviceId] = record.Information;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                DeliveryLog.DeviceInformationUnavailable(logger, deviceId, ex.Message);
            }
        }
        return described;
    }

    private bool Progress(long start) => Interlocked.Read(ref _acceptingRequests) != start;

    /// <returns>The failure that must hold what follows this part for the same devices, or null.</returns>
    private async Task<Stop?> SendPartAsync(
        IReadOnlyList<OutgoingReading> part, List<ReadingOutcome> outcomes, long start, bool split, CancellationToken ct)
    {
        var started = flow.RequestStarted();
        var results = await sender.SendAsync(part, ct).ConfigureAwait(false);
        if (results.Count != part.Count)
            throw new InvalidOperationException($"the sender answered {results.Count} results for {part.Count} readings");

        var common = results.All(r => r is DeliveryResult.RetryLater) && results.Select(r => ((DeliveryResult.RetryLater)r).Cause).Distinct().Count() == 1
            ? (DeliveryResult.RetryLater)results[0] : null;
        if (common is null)
        {
            // Answered reading by reading (delivered, refused, or some left to retry by a batch-style answer).
            flow.Answered(started, part.Count);
            if (results.Any(r => r is DeliveryResult.Delivered))
                Interlocked.Increment(ref _acceptingRequests);
            Stop? stop = null;
            for (var i = 0; i < part.Count; i++)
            {
                outcomes.Add(new ReadingOutcome(part[i].Entry, results[i], part.Count == 1, Sent: true));
                if (stop is null && results[i] is DeliveryResult.RetryLater later)
                    stop = new Stop(later, false);
            }
            return stop;
        }

        switch (common.Cause)
        {
            case RetryCause.Throttled:
                flow.Throttled(started);
                break;
            case RetryCause.TimedOut:
                flow.TimedOut(started, part.Count);
                break;
            case RetryCause.TooLarge when part.Count > 1:
                flow.TooLarge(part.Count);
                break;
        }
        if (part.Count > 1 && split && common.Cause is RetryCause.TimedOut or RetryCause.TooLarge or RetryCause.ServerError)
            return await BisectAsync(part, common, outcomes, start, ct).ConfigureAwait(false);

        foreach (var reading in part)
            outcomes.Add(new ReadingOutcome(reading.Entry, common, part.Count == 1, Sent: true));
        if (common.Cause == RetryCause.TooLarge && part.Count == 1)
            return null; // a dead letter: it frees its device
        return new Stop(common, part.Count == 1 && common.Cause == RetryCause.ServerError);
    }

    private async Task<Stop?> BisectAsync(
        IReadOnlyList<OutgoingReading> part, DeliveryResult.RetryLater failure, List<ReadingOutcome> outcomes, long start, CancellationToken ct)
    {
        var (first, second, independent) = Halve(part);
        DeliveryLog.Bisecting(logger, part.Count, failure.HttpStatus, first.Count, second.Count);
        var stop = await SendPartAsync(first, outcomes, start, split: true, ct).ConfigureAwait(false);
        if (stop is null)
            return await SendPartAsync(second, outcomes, start, split: true, ct).ConfigureAwait(false);

        var serverWide = stop.Failure.Cause is RetryCause.Throttled or RetryCause.Configuration;
        var goOn = !serverWide && Progress(start) && (independent || stop.Lone);
        if (goOn)
        {
            var next = await SendPartAsync(second, outcomes, start, split: true, ct).ConfigureAwait(false);
            return next ?? (stop.Lone ? null : stop);
        }
        if (!serverWide && stop.Lone)
        {
            // Nothing else went through yet: is the EHR down, or is it this reading? One request with the rest tells.
            var probe = await SendPartAsync(second, outcomes, start, split: false, ct).ConfigureAwait(false);
            return probe ?? (Progress(start) ? null : stop);
        }
        foreach (var reading in second)
            outcomes.Add(new ReadingOutcome(reading.Entry, stop.Failure, Alone: false, Sent: false));
        return stop;
    }

    /// <summary>Two halves: between devices when there are several (independent), else the device's readings in order.</summary>
    private static (IReadOnlyList<OutgoingReading> First, IReadOnlyList<OutgoingReading> Second, bool Independent) Halve(IReadOnlyList<OutgoingReading> part)
    {
        var devices = part.GroupBy(r => r.Entry.Reading.DeviceId, StringComparer.Ordinal).ToList();
        if (devices.Count == 1)
        {
            var half = part.Count / 2;
            return ([.. part.Take(half)], [.. part.Skip(half)], false);
        }
        var first = new List<OutgoingReading>();
        var second = new List<OutgoingReading>();
        foreach (var device in devices)
        {
            if (first.Count == 0 || first.Count + device.Count() <= part.Count / 2)
                first.AddRange(device);
            else
                second.AddRange(device);
        }
        return (first, second, true);
    }
}
