using System.Globalization;
using System.Threading.Channels;
using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>
/// Turns one device's indications into <see cref="IngestMessage"/>s, in arrival order, through one consumer: the
/// pipeline queues synchronously, so arrival order is commit order. GHS segments are assembled per characteristic;
/// RACP responses go to the <see cref="IRacpListener"/> once everything received before them is committed.
/// </summary>
internal sealed class ValueRouter(string address, BleSessionContext context, IRacpListener racp)
{
    private readonly Channel<BleNotification> _values = Channel.CreateUnbounded<BleNotification>(new() { SingleReader = true });
    // Touched by the consumer and, to reset them when a connection ends, by the connection loop.
    private readonly Dictionary<BluetoothUuid, GhsSegmentAssembler> _assemblers = [];
    // The consumer's alone: its submissions not yet known to be committed.
    private readonly List<Task<bool>> _inFlight = [];
    private ConnectionClock _clock = new();
    // The thermometer's 0x2A1D value, or -1.
    private int _temperatureType = -1;
    // The consumer's alone: the open interval of a Heart Rate stream.
    private HeartRateSummary? _heartRate;
    // The scale's 0x2A9E value (boxed, so that it is written and read whole), or null.
    private object? _weightFeature;

    /// <summary>The clock of the connection whose values arrive from now on.</summary>
    public void UseClock(ConnectionClock clock) => Volatile.Write(ref _clock, clock);

    /// <summary>The site of temperatures that name none, from the connection's Temperature Type read (null: none).</summary>
    public void UseTemperatureType(TemperatureType? type) => Volatile.Write(ref _temperatureType, type is { } t ? t.Value : -1);

    /// <summary>The scale's Weight Scale Feature from the connection's read (null: none): the decimals of its weights.</summary>
    public void UseWeightFeature(WeightScaleFeature? feature) => Volatile.Write(ref _weightFeature, feature);

    /// <summary>The characteristics' value handler: may run on any thread, never blocks.</summary>
    public void OnValue(object? sender, GattValueChangedEventArgs e)
    {
        if (sender is GattCharacteristic c)
        {
            _values.Writer.TryWrite(new BleNotification(c.Uuid, e.Value, e.ReceivedAt, Volatile.Read(ref _clock)));
        }
    }

    /// <summary>A connection ended: segments never continue across connections.</summary>
    public void ResetSegments()
    {
        lock (_assemblers)
        {
            foreach (var a in _assemblers.Values) a.Reset();
        }
    }

    public void Complete() => _values.Writer.TryComplete();

    public async Task ConsumeAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var n in _values.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(n, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    BleLog.SessionFailed(context.Logger, e, address);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(BleNotification n, CancellationToken ct)
    {
        context.Registry.Update(address, s => s with { LastSeen = n.ReceivedAt });
        if (!n.Clock.Ready.IsCompleted)
        {
            // A stored reading indicated before the clock is known: wait for it (bounded: the connection attempt ends).
            await n.Clock.Ready.WaitAsync(ct).ConfigureAwait(false);
        }
        switch (n.Uuid.ShortId)
        {
            case GattUuids.RecordAccessControlPoint:
                await OnRacpAsync(n).ConfigureAwait(false);
                return;
            case GattUuids.GhsControlPoint:
                BleLog.Ignored(context.Logger, address, "2bf4", "control point response");
                return;
            case GattUuids.IntermediateCuffPressure:
                // The cuff inflating: never a reading (docs/devices.md); not an error either, so not kept as rejected.
                BleLog.Ignored(context.Logger, address, "2a36", "intermediate cuff pressure");
                return;
            case GattUuids.LiveHealthObservations or GattUuids.StoredHealthObservations:
                OnGhsSegment(n, ct);
                return;
            case GattUuids.HeartRateMeasurement:
                OnHeartRate(n, ct);
                return;
            default:
                Track(SubmitAsync(n, n.Value, null, ct));
                return;
        }
    }

    private async Task OnRacpAsync(BleNotification n)
    {
        if (!RecordAccessControlPoint.TryParse(n.Value, out var value, out var error))
        {
            BleLog.RacpResponse(context.Logger, address, "unreadable: " + error);
            return;
        }
        BleLog.RacpResponse(context.Logger, address, value.Opcode == RacpOpcode.ResponseCode ? $"{value.RequestOpcode}: {value.Response}" : value.Opcode.ToString());
        if (value.Opcode != RacpOpcode.ResponseCode) return;
        var allCommitted = true;
        if (value.RequestOpcode == RacpOpcode.ReportStoredRecords)
        {
            // The device indicates every record before this response: once these are committed, all of them are.
            var results = await Task.WhenAll(_inFlight).ConfigureAwait(false);
            allCommitted = results.All(r => r);
        }
        racp.Answered(value, allCommitted);
    }

    /// <summary>
    /// A continuous 0x2A37 stream becomes one reading per <c>Ble:HeartRateInterval</c> (the median; see
    /// <see cref="HeartRateSummary"/>), submitted as one 0x2A37 value at the time of the interval's last sample. A value
    /// that does not parse goes to the decoder as it is, to be kept as rejected with its reason. The interval still
    /// open when the gateway stops is not submitted (at most one interval of a stream that was never acknowledged).
    /// </summary>
    private void OnHeartRate(BleNotification n, CancellationToken ct)
    {
        if (!HeartRateMeasurement.TryParse(n.Value, out var sample, out _))
        {
            Track(SubmitAsync(n, n.Value, null, ct));
            return;
        }
        _heartRate ??= new HeartRateSummary(context.Options.HeartRateInterval);
        if (!_heartRate.TryAdd(n.ReceivedAt, sample, out var summary, out var at))
        {
            return;
        }
        var value = new byte[8];
        if (!summary.TryFormat(value, out var written))
        {
            throw new InvalidOperationException("a heart-rate summary did not fit its 0x2A37 layout");
        }
        Track(SubmitAsync(n with { ReceivedAt = at }, value[..written], null, ct));
    }

    private void OnGhsSegment(BleNotification n, CancellationToken ct)
    {
        byte[]? whole = null;
        DecodeError error;
        GhsFeedResult result;
        lock (_assemblers)
        {
            if (!_assemblers.TryGetValue(n.Uuid, out var assembler)) _assemblers[n.Uuid] = assembler = new GhsSegmentAssembler();
            result = assembler.Feed(n.Value, out var record, out error);
            if (result == GhsFeedResult.Record)
            {
                // One notification with first and last set: the form GattReadingDecoder (and raw GATT over MQTT) takes.
                whole = new byte[1 + record.Length];
                whole[0] = GhsSegment.FirstFlag | GhsSegment.LastFlag;
                record.CopyTo(whole.AsSpan(1));
            }
        }
        switch (result)
        {
            case GhsFeedResult.Record:
                if (n.Uuid.ShortId == GattUuids.StoredHealthObservations) racp.StoredRecordAssembled();
                Track(SubmitAsync(n, whole!, null, ct));
                return;
            case GhsFeedResult.Error:
                var name = string.Create(CultureInfo.InvariantCulture, $"0x{n.Uuid.ShortId:X4}");
                Track(SubmitAsync(n, n.Value, new DecodeError(name + " " + error.Where, error.Message), ct));
                return;
            default:
                return;
        }
    }

    private void Track(Task<bool> submit)
    {
        if (_inFlight.Count >= 64) _inFlight.RemoveAll(t => t.IsCompleted);
        _inFlight.Add(submit);
    }

    private async Task<bool> SubmitAsync(BleNotification n, byte[] value, DecodeError? rejected, CancellationToken ct)
    {
        // Sessions arm only Bluetooth SIG characteristics, so a 128-bit UUID here is a bug, not device behaviour.
        var characteristic = n.Uuid.ShortId ?? throw new InvalidOperationException($"notification on a 128-bit characteristic {n.Uuid}");
        var source = new BleSource(context.Options.Adapter, address, characteristic);
        var message = new IngestMessage(address, source, PayloadFormat.Gatt(characteristic), value, n.ReceivedAt)
        {
            Context = new DeviceContext
            {
                ClockOffset = n.Clock.OffsetAt(n.ReceivedAt),
                ClockMeasuredAt = n.Clock.MeasuredAt(n.ReceivedAt),
                TemperatureType = Volatile.Read(ref _temperatureType) is var t and >= 0 ? new TemperatureType((byte)t) : null,
                WeightFeature = Volatile.Read(ref _weightFeature) as WeightScaleFeature?,
            },
        };
        try
        {
            // SubmitAsync queues synchronously (so arrival order is commit order) and completes once durable.
            _ = rejected is { } error
                ? await context.Pipeline.SubmitRejectedAsync(source, value, n.ReceivedAt, error, ct).ConfigureAwait(false)
                : await context.Pipeline.SubmitAsync(message, ct).ConfigureAwait(false);
            context.Metrics.Committed(context.Time.GetUtcNow() - n.ReceivedAt);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BleLog.CommitFailed(context.Logger, e, address);
            return false;
        }
    }
}
