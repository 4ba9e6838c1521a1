using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// Keeps one bound device connected and turns its indications into committed messages. Per connection: pair if a
/// passkey waits, arm notifications (before connecting where BlueZ allows it, so stored readings indicated right after
/// the link comes up are not acknowledged into the void), connect, read or set Current Time, and for GHS fetch the
/// stored records through RACP and delete them only once every one is durable. Values are handled in arrival order by
/// one consumer; each becomes an <see cref="IngestMessage"/> through the same pipeline as MQTT. Any failure ends the
/// connection attempt, never the session: it reconnects with exponential backoff and full jitter.
/// </summary>
internal sealed class BleDeviceSession : IAsyncDisposable
{
    private readonly string _address;
    private readonly Bluetooth _bluetooth;
    private readonly BleSessionContext _context;
    private readonly ILogger _logger;
    private readonly Channel<BleNotification> _values = Channel.CreateUnbounded<BleNotification>(new() { SingleReader = true });
    private readonly HashSet<GattCharacteristic> _hooked = [];
    private readonly Dictionary<BluetoothUuid, GhsSegmentAssembler> _assemblers = [];
    private readonly List<Task<bool>> _inFlight = [];
    private readonly ReconnectBackoff _backoff;
    private readonly CancellationTokenSource _stop = new();
    private readonly EventHandler<GattValueChangedEventArgs> _onValue;
    private readonly EventHandler _onLinkLost;
    private readonly EventHandler _onRestart;
    private ConnectionClock _clock = new();
    private TaskCompletionSource _linkLost = NewSignal();
    private TaskCompletionSource<RecordAccessControlPoint>? _racpResponse;
    private int _storedRecords;
    // The thermometer's 0x2A1D value, or -1: read on each connection (a device may be reconfigured between them).
    private int _temperatureType = -1;
    private volatile bool _lastReportDurable;
    private BluetoothDevice? _watched;
    private Task _run = Task.CompletedTask;

    public BleDeviceSession(string address, Bluetooth bluetooth, BleSessionContext context)
    {
        _address = address;
        _bluetooth = bluetooth;
        _context = context;
        _logger = context.Logger;
        _backoff = new ReconnectBackoff(context.Options);
        _onValue = OnValue;
        _onLinkLost = (_, _) => _linkLost.TrySetResult();
        _onRestart = (_, _) =>
        {
            lock (_hooked) _hooked.Clear();
            _linkLost.TrySetResult();
        };
    }

    public string Address => _address;

    public void Start()
    {
        _bluetooth.StackRestarted += _onRestart;
        _context.Registry.Update(_address, s => s);
        _run = Task.WhenAll(ConsumeAsync(_stop.Token), RunAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        _bluetooth.StackRestarted -= _onRestart;
        await _stop.CancelAsync().ConfigureAwait(false);
        _values.Writer.TryComplete();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (_watched is { } device)
        {
            device.GattServerDisconnected -= _onLinkLost;
            if (device.Gatt.IsConnected) device.Gatt.Disconnect();
        }
        _context.Registry.Remove(_address);
        _stop.Dispose();
    }

    // ---- connection loop

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var connected = await ConnectOnceAsync(ct).ConfigureAwait(false);
                delay = _backoff.Next();
                if (connected)
                {
                    _context.Registry.Update(_address, s => s with { Connected = false, Reconnects = s.Reconnects + 1 });
                    BleLog.Disconnected(_logger, _address, delay);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Expected: D-Bus errors (Page Timeout, AuthenticationFailed), timeouts, a device that misbehaves.
                delay = _backoff.Next();
                var reason = Describe(e);
                _context.Registry.Update(_address, s => s with { Connected = false, LastError = reason });
                BleLog.ConnectFailed(_logger, _address, _backoff.Attempt, reason, delay);
            }
            try
            {
                await Task.Delay(delay, _context.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <returns>True when the device was connected (and the link has since been lost).</returns>
    private async Task<bool> ConnectOnceAsync(CancellationToken ct)
    {
        var device = _bluetooth.GetDevice(_address);
        if (device is null)
        {
            BleLog.NotDiscovered(_logger, _address);
            await WaitForDeviceAsync(ct).ConfigureAwait(false);
            device = _bluetooth.GetDevice(_address) ?? throw new BleSessionException("not discovered (out of range or not advertising)");
        }
        Watch(device);
        _linkLost = NewSignal();
        var clock = new ConnectionClock();
        _clock = clock;
        try
        {
            await PairIfAskedAsync(device, ct).ConfigureAwait(false);
            // Armed before Connect: BlueZ keeps a bonded device's GATT objects, and a notify session started while
            // disconnected is armed for the next connection (bluez.md).
            await ArmAsync(device, ct).ConfigureAwait(false);
            await device.Gatt.ConnectAsync(ct).ConfigureAwait(false);
            var armed = await ArmAsync(device, ct).ConfigureAwait(false);
            if (_linkLost.Task.IsCompleted && !device.Gatt.IsConnected)
            {
                throw new BleSessionException("the link dropped right after connecting");
            }
            _backoff.Reset();
            _context.Registry.Update(_address, s => s with { Connected = true, LastSeen = _context.Time.GetUtcNow(), LastError = null });
            BleLog.Connected(_logger, _address, armed);

            await SetUpClockAsync(device, clock, ct).ConfigureAwait(false);
            await ReadTemperatureTypeAsync(device, ct).ConfigureAwait(false);
            clock.Release();
            await StartLiveObservationsAsync(device, ct).ConfigureAwait(false);
            await TransferStoredRecordsAsync(device, ct).ConfigureAwait(false);
            await _linkLost.Task.WaitAsync(ct).ConfigureAwait(false);
            return true;
        }
        finally
        {
            // Values already queued are decoded with what is known; nothing waits for a clock that will not come.
            clock.Release();
            lock (_assemblers)
            {
                // Segments never continue across connections.
                foreach (var a in _assemblers.Values) a.Reset();
            }
        }
    }

    private async Task WaitForDeviceAsync(CancellationToken ct)
    {
        var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAdded(object? sender, BluetoothDevice d)
        {
            if (d.Id == _address) added.TrySetResult();
        }
        _bluetooth.DeviceAdded += OnAdded;
        try
        {
            if (_bluetooth.GetDevice(_address) is not null) return;
            await Task.WhenAny(added.Task, Task.Delay(_context.Options.BindingPollInterval, _context.Time, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
        finally
        {
            _bluetooth.DeviceAdded -= OnAdded;
        }
    }

    private void Watch(BluetoothDevice device)
    {
        if (ReferenceEquals(_watched, device)) return;
        if (_watched is { } old) old.GattServerDisconnected -= _onLinkLost;
        device.GattServerDisconnected += _onLinkLost;
        _watched = device;
    }

    private async Task PairIfAskedAsync(BluetoothDevice device, CancellationToken ct)
    {
        if (device.IsPaired) return;
        var passkey = await _context.Pairings.GetAsync(_address, ct).ConfigureAwait(false);
        if (passkey is null) return;
        try
        {
            await device.PairAsync(_ => Task.FromResult(passkey), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BleLog.PairingFailed(_logger, _address, Describe(e));
            throw;
        }
        await _context.Pairings.RemoveAsync(_address, ct).ConfigureAwait(false);
        BleLog.Paired(_logger, _address);
    }

    /// <summary>Starts notifications on every measurement characteristic known now. Returns how many are armed.</summary>
    private async Task<int> ArmAsync(BluetoothDevice device, CancellationToken ct)
    {
        var armed = 0;
        foreach (var service in await device.Gatt.GetPrimaryServicesAsync(ct).ConfigureAwait(false))
        {
            foreach (var characteristic in await service.GetCharacteristicsAsync(ct).ConfigureAwait(false))
            {
                if (!HealthGatt.Armed.Contains(characteristic.Uuid)
                    || (characteristic.Properties & (GattCharacteristicProperties.Notify | GattCharacteristicProperties.Indicate)) == 0)
                {
                    continue;
                }
                lock (_hooked)
                {
                    if (_hooked.Add(characteristic)) characteristic.CharacteristicValueChanged += _onValue;
                }
                try
                {
                    await characteristic.StartNotificationsAsync(ct).ConfigureAwait(false);
                    armed++;
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Before the link is up some stacks refuse; the call after Connect arms it.
                    BleLog.ArmFailed(_logger, _address, characteristic.Uuid.ToShortString(), Describe(e));
                }
            }
        }
        return armed;
    }

    private void OnValue(object? sender, GattValueChangedEventArgs e)
    {
        if (sender is GattCharacteristic c)
        {
            _values.Writer.TryWrite(new BleNotification(c.Uuid, e.Value, e.ReceivedAt, _clock));
        }
    }

    // ---- Current Time

    private async Task SetUpClockAsync(BluetoothDevice device, ConnectionClock clock, CancellationToken ct)
    {
        var characteristic = await FindAsync(device, GattUuids.CurrentTimeService, GattUuids.CurrentTime, ct).ConfigureAwait(false);
        if (characteristic is null || (characteristic.Properties & GattCharacteristicProperties.Read) == 0)
        {
            // No Current Time service: time stamps are device-local time in the configured zone, as they are.
            return;
        }
        try
        {
            var before = await MeasureAsync(characteristic, ct).ConfigureAwait(false);
            clock.Set(DateTimeOffset.MinValue, before);
            if ((characteristic.Properties & GattCharacteristicProperties.Write) != 0)
            {
                await characteristic.WriteValueWithResponseAsync(DeviceClock.Format(_context.Time.GetUtcNow(), _context.Zone), ct).ConfigureAwait(false);
                var written = _context.Time.GetUtcNow();
                // Measured again rather than assumed zero: a device may ignore the write or round it.
                var after = await MeasureAsync(characteristic, ct).ConfigureAwait(false);
                clock.Set(written, after);
                BleLog.ClockSet(_logger, _address, before);
                _context.Registry.Update(_address, s => s with { ClockOffset = after });
            }
            else
            {
                BleLog.ClockMeasured(_logger, _address, before);
                _context.Registry.Update(_address, s => s with { ClockOffset = before });
            }
        }
        catch (BleSessionException e)
        {
            BleLog.ClockFailed(_logger, _address, e.Message);
        }
    }

    // ---- Temperature Type

    private async Task ReadTemperatureTypeAsync(BluetoothDevice device, CancellationToken ct)
    {
        var characteristic = await FindAsync(device, GattUuids.HealthThermometerService, GattUuids.TemperatureType, ct).ConfigureAwait(false);
        if (characteristic is null || (characteristic.Properties & GattCharacteristicProperties.Read) == 0)
        {
            Volatile.Write(ref _temperatureType, -1);
            return;
        }
        try
        {
            var value = await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
            if (!TemperatureType.TryParse(value, out var type, out var error))
            {
                Volatile.Write(ref _temperatureType, -1);
                BleLog.TemperatureTypeFailed(_logger, _address, $"0x2A1D {error}");
                return;
            }
            Volatile.Write(ref _temperatureType, type.Value);
            BleLog.TemperatureTypeRead(_logger, _address, type.Site ?? "reserved value");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Volatile.Write(ref _temperatureType, -1);
            BleLog.TemperatureTypeFailed(_logger, _address, Describe(e));
        }
    }

    private async Task<TimeSpan> MeasureAsync(GattCharacteristic characteristic, CancellationToken ct)
    {
        var start = _context.Time.GetUtcNow();
        var value = await characteristic.ReadValueAsync(ct).ConfigureAwait(false);
        var end = _context.Time.GetUtcNow();
        // The device produced the value somewhere during the read: its middle is the best guess.
        var at = start + (end - start) / 2;
        return DeviceClock.TryMeasureOffset(value, at, _context.Zone, out var offset, out var error)
            ? offset
            : throw new BleSessionException(error.ToString());
    }

    // ---- GHS

    private async Task StartLiveObservationsAsync(BluetoothDevice device, CancellationToken ct)
    {
        var controlPoint = await FindAsync(device, GattUuids.GenericHealthSensorService, GattUuids.GhsControlPoint, ct).ConfigureAwait(false);
        if (controlPoint is null || (controlPoint.Properties & GattCharacteristicProperties.Write) == 0) return;
        try
        {
            // GHS Control Point 0x01: start sending live observations (gatt.md).
            await controlPoint.WriteValueWithResponseAsync(new byte[] { 0x01 }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BleLog.Ignored(_logger, _address, "2bf4", "start live observations refused: " + Describe(e));
        }
    }

    /// <summary>
    /// RACP: report all stored records, wait until each is committed and the device says it is done, and only then
    /// delete them: a record is never deleted on the device before it is durable here.
    /// </summary>
    private async Task TransferStoredRecordsAsync(BluetoothDevice device, CancellationToken ct)
    {
        var racp = await FindAsync(device, GattUuids.GenericHealthSensorService, GattUuids.RecordAccessControlPoint, ct).ConfigureAwait(false);
        if (racp is null || (racp.Properties & GattCharacteristicProperties.Write) == 0) return;

        Interlocked.Exchange(ref _storedRecords, 0);
        var report = await RacpAsync(racp, RacpOpcode.ReportStoredRecords, RecordAccessControlPoint.Request(RacpOpcode.ReportStoredRecords, RacpOperator.AllRecords), ct).ConfigureAwait(false);
        if (report.Response == RacpResponseCode.NoRecordsFound) return;
        if (report.Response != RacpResponseCode.Success)
        {
            BleLog.StoredRecordsKept(_logger, _address, "report answered " + report.Response);
            return;
        }
        // The consumer completed the RACP response only after every value before it was committed (or failed).
        if (!_lastReportDurable)
        {
            BleLog.StoredRecordsKept(_logger, _address, "a stored record could not be committed");
            return;
        }
        var count = Volatile.Read(ref _storedRecords);
        BleLog.StoredRecordsCommitted(_logger, _address, count);
        var delete = await RacpAsync(racp, RacpOpcode.DeleteStoredRecords, RecordAccessControlPoint.Request(RacpOpcode.DeleteStoredRecords, RacpOperator.AllRecords), ct).ConfigureAwait(false);
        if (delete.Response != RacpResponseCode.Success)
        {
            BleLog.StoredRecordsKept(_logger, _address, "delete answered " + delete.Response);
        }
    }

    private async Task<RecordAccessControlPoint> RacpAsync(GattCharacteristic racp, RacpOpcode opcode, RecordAccessControlPoint request, CancellationToken ct)
    {
        var response = new TaskCompletionSource<RecordAccessControlPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _racpResponse, response);
        var buffer = new byte[RecordAccessControlPoint.MaxLength];
        if (!request.TryFormat(buffer, out var written)) throw new InvalidOperationException($"RACP request {opcode} cannot be formatted");
        await racp.WriteValueWithResponseAsync(buffer.AsMemory(0, written), ct).ConfigureAwait(false);
        try
        {
            var value = await response.Task.WaitAsync(_context.Options.StoredRecordsTimeout, _context.Time, ct).ConfigureAwait(false);
            return value.RequestOpcode == opcode
                ? value
                : throw new BleSessionException($"RACP answered op code {value.RequestOpcode} to {opcode}");
        }
        catch (TimeoutException)
        {
            throw new BleSessionException($"no RACP response to {opcode} within {_context.Options.StoredRecordsTimeout}");
        }
        finally
        {
            Interlocked.CompareExchange(ref _racpResponse, null, response);
        }
    }

    // ---- values -> pipeline (one consumer, arrival order)

    private async Task ConsumeAsync(CancellationToken ct)
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
                    BleLog.SessionFailed(_logger, e, _address);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(BleNotification n, CancellationToken ct)
    {
        _context.Registry.Update(_address, s => s with { LastSeen = n.ReceivedAt });
        if (!n.Clock.Ready.IsCompleted)
        {
            // A stored reading indicated before the clock is known: wait for it (bounded: the connection attempt ends).
            await n.Clock.Ready.WaitAsync(ct).ConfigureAwait(false);
        }
        var uuid = n.Uuid.ShortId;
        switch (uuid)
        {
            case GattUuids.RecordAccessControlPoint:
                await OnRacpAsync(n).ConfigureAwait(false);
                return;
            case GattUuids.GhsControlPoint:
                BleLog.Ignored(_logger, _address, "2bf4", "control point response");
                return;
            case GattUuids.IntermediateCuffPressure:
                // The cuff inflating: never a reading (gatt.md); not an error either, so not kept as rejected.
                BleLog.Ignored(_logger, _address, "2a36", "intermediate cuff pressure");
                return;
            case GattUuids.LiveHealthObservations or GattUuids.StoredHealthObservations:
                OnGhsSegment(n);
                return;
            default:
                Track(Submit(n, n.Value, null));
                return;
        }
    }

    private async Task OnRacpAsync(BleNotification n)
    {
        if (!RecordAccessControlPoint.TryParse(n.Value, out var value, out var error))
        {
            BleLog.RacpResponse(_logger, _address, "unreadable: " + error);
            return;
        }
        BleLog.RacpResponse(_logger, _address, value.Opcode == RacpOpcode.ResponseCode ? $"{value.RequestOpcode}: {value.Response}" : value.Opcode.ToString());
        if (value.Opcode != RacpOpcode.ResponseCode) return;
        if (value.RequestOpcode == RacpOpcode.ReportStoredRecords)
        {
            // Every record came before this response: once these are committed, all of them are durable.
            Task<bool>[] pending;
            lock (_inFlight) pending = [.. _inFlight];
            var results = await Task.WhenAll(pending).ConfigureAwait(false);
            _lastReportDurable = results.All(r => r);
        }
        Volatile.Read(ref _racpResponse)?.TrySetResult(value);
    }

    private void OnGhsSegment(BleNotification n)
    {
        GhsSegmentAssembler assembler;
        lock (_assemblers)
        {
            if (!_assemblers.TryGetValue(n.Uuid, out assembler!)) _assemblers[n.Uuid] = assembler = new GhsSegmentAssembler();
        }
        byte[]? whole = null;
        DecodeError error = default;
        GhsFeedResult result;
        lock (_assemblers)
        {
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
                if (n.Uuid.ShortId == GattUuids.StoredHealthObservations) Interlocked.Increment(ref _storedRecords);
                Track(Submit(n, whole!, null));
                return;
            case GhsFeedResult.Error:
                var name = string.Create(CultureInfo.InvariantCulture, $"0x{n.Uuid.ShortId:X4}");
                Track(Submit(n, n.Value, new DecodeError(name + " " + error.Where, error.Message)));
                return;
            default:
                return;
        }
    }

    private void Track(Task<bool> submit)
    {
        lock (_inFlight)
        {
            if (_inFlight.Count >= 64) _inFlight.RemoveAll(t => t.IsCompleted);
            _inFlight.Add(submit);
        }
    }

    private async Task<bool> Submit(BleNotification n, byte[] value, DecodeError? rejected)
    {
        // Sessions arm only Bluetooth SIG characteristics, so a 128-bit UUID here is a bug, not device behaviour.
        var characteristic = n.Uuid.ShortId ?? throw new InvalidOperationException($"notification on a 128-bit characteristic {n.Uuid}");
        var source = new BleSource(_context.Options.Adapter, _address, characteristic);
        var message = new IngestMessage(_address, source, PayloadFormat.Gatt(characteristic), value, n.ReceivedAt)
        {
            Context = new DeviceContext
            {
                ClockOffset = n.Clock.OffsetAt(n.ReceivedAt),
                TemperatureType = Volatile.Read(ref _temperatureType) is var t and >= 0 ? new TemperatureType((byte)t) : null,
            },
        };
        try
        {
            // SubmitAsync queues synchronously (so arrival order is commit order) and completes once durable.
            _ = rejected is { } error
                ? await _context.Pipeline.SubmitRejectedAsync(source, value, n.ReceivedAt, error, _stop.Token).ConfigureAwait(false)
                : await _context.Pipeline.SubmitAsync(message, _stop.Token).ConfigureAwait(false);
            _context.Metrics.Committed(_context.Time.GetUtcNow() - n.ReceivedAt);
            return true;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BleLog.CommitFailed(_logger, e, _address);
            return false;
        }
    }

    private static async Task<GattCharacteristic?> FindAsync(BluetoothDevice device, ushort service, ushort characteristic, CancellationToken ct)
    {
        var s = await device.Gatt.GetPrimaryServiceAsync(service, ct).ConfigureAwait(false);
        return s is null ? null : await s.GetCharacteristicAsync(characteristic, ct).ConfigureAwait(false);
    }

    private static string Describe(Exception e) => e.Message;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
