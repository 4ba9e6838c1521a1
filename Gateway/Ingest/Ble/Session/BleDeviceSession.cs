using Microsoft.Extensions.Logging;
using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>
/// Keeps one bound device connected and turns its indications into committed messages. Each connection attempt sets
/// the link up (<see cref="ConnectionSetup"/>), reads the device's context (<see cref="DeviceContextReader"/>), starts
/// GHS live observations and transfers stored records (<see cref="StoredRecordTransfer"/>); values go through
/// <see cref="ValueRouter"/>. Any failure ends the connection attempt, never the session: it reconnects with
/// exponential backoff and full jitter, so that devices lost together (a bluetoothd restart) do not return together.
/// </summary>
internal sealed class BleDeviceSession : IAsyncDisposable
{
    // Far beyond where the delay reaches Ble:ReconnectMaxDelay; only keeps the counter from overflowing.
    private const int MaxAttempt = 1_000;

    private readonly string _address;
    private readonly Bluetooth _bluetooth;
    private readonly BleSessionContext _context;
    private readonly ILogger _logger;
    private readonly ConnectionSetup _setup;
    private readonly DeviceContextReader _reader;
    private readonly StoredRecordTransfer _transfer;
    private readonly ValueRouter _router;
    private readonly ExponentialBackoff _backoff;
    private readonly CancellationTokenSource _stop = new();
    private readonly EventHandler _onRestart;
    // Attempts since the last connection that worked: the next loss starts again from the base delay.
    private int _attempt;
    private Task _run = Task.CompletedTask;

    public BleDeviceSession(string address, Bluetooth bluetooth, BleSessionContext context)
    {
        _address = address;
        _bluetooth = bluetooth;
        _context = context;
        _logger = context.Logger;
        _transfer = new StoredRecordTransfer(address, context);
        _router = new ValueRouter(address, context, _transfer);
        _setup = new ConnectionSetup(address, bluetooth, context, _router.OnValue);
        _reader = new DeviceContextReader(context);
        _backoff = new ExponentialBackoff(context.Options.ReconnectBaseDelay, context.Options.ReconnectMaxDelay);
        _onRestart = (_, _) => _setup.OnStackRestarted();
    }

    public string Address => _address;

    public void Start()
    {
        _bluetooth.StackRestarted += _onRestart;
        _context.Registry.Update(_address, s => s);
        _run = Task.WhenAll(_router.ConsumeAsync(_stop.Token), RunAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        _bluetooth.StackRestarted -= _onRestart;
        await _stop.CancelAsync().ConfigureAwait(false);
        _router.Complete();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _setup.Release();
        _context.Registry.Remove(_address);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var connected = await ConnectOnceAsync(ct).ConfigureAwait(false);
                delay = NextDelay();
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
                delay = NextDelay();
                _context.Registry.Update(_address, s => s with { Connected = false, LastError = e.Message });
                BleLog.ConnectFailed(_logger, _address, _attempt, e.Message, delay);
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
        var device = await _setup.FindDeviceAsync(ct).ConfigureAwait(false);
        var clock = new ConnectionClock();
        _router.UseClock(clock);
        try
        {
            var armed = await _setup.ConnectAsync(device, ct).ConfigureAwait(false);
            _attempt = 0;
            _context.Registry.Update(_address, s => s with { Connected = true, LastSeen = _context.Time.GetUtcNow(), LastError = null });
            BleLog.Connected(_logger, _address, armed);

            // Values wait for the clock (ConnectionClock.Ready): stored readings are indicated as soon as the link is
            // up, and their device-local times are corrected by the offset measured here.
            await SetUpClockAsync(device, clock, ct).ConfigureAwait(false);
            await ReadTemperatureTypeAsync(device, ct).ConfigureAwait(false);
            _router.UseWeightFeature(null);
            _router.UseWeightFeature(await _reader.ReadWeightScaleFeatureAsync(device, ct).ConfigureAwait(false));
            // Before the values are let through: the readings of this connection are delivered with what the device
            // says about itself (its FHIR Device), so it is stored first.
            await ReadDeviceInformationAsync(device, ct).ConfigureAwait(false);
            clock.Release();
            await StartLiveObservationsAsync(device, ct).ConfigureAwait(false);
            await _transfer.TransferAsync(device, ct).ConfigureAwait(false);
            await _setup.LinkLost.WaitAsync(ct).ConfigureAwait(false);
            return true;
        }
        finally
        {
            // Values already queued are decoded with what is known; nothing waits for a clock that will not come.
            clock.Release();
            _router.ResetSegments();
        }
    }

    private TimeSpan NextDelay()
    {
        var delay = _backoff.Delay(_attempt);
        if (_attempt < MaxAttempt) _attempt++;
        return delay;
    }

    private async Task SetUpClockAsync(BluetoothDevice device, ConnectionClock clock, CancellationToken ct)
    {
        var reading = await _reader.ReadClockAsync(device, clock, ct).ConfigureAwait(false);
        switch (reading.Outcome)
        {
            case ClockOutcome.Measured:
                BleLog.ClockMeasured(_logger, _address, reading.Offset);
                _context.Registry.Update(_address, s => s with { ClockOffset = reading.Offset });
                break;
            case ClockOutcome.Set:
                BleLog.ClockSet(_logger, _address, reading.Before);
                _context.Registry.Update(_address, s => s with { ClockOffset = reading.Offset });
                break;
            case ClockOutcome.Unusable:
                BleLog.ClockFailed(_logger, _address, reading.Problem ?? "unreadable");
                break;
            case ClockOutcome.Absent:
                break;
        }
    }

    private async Task ReadTemperatureTypeAsync(BluetoothDevice device, CancellationToken ct)
    {
        // Cleared first: values of this connection must not take the site of a previous configuration.
        _router.UseTemperatureType(null);
        var reading = await _reader.ReadTemperatureTypeAsync(device, ct).ConfigureAwait(false);
        _router.UseTemperatureType(reading.Type);
        if (reading.Type is { } type) BleLog.TemperatureTypeRead(_logger, _address, type.Site ?? "reserved value");
        else if (reading.Problem is { } problem) BleLog.TemperatureTypeFailed(_logger, _address, problem);
    }

    private async Task ReadDeviceInformationAsync(BluetoothDevice device, CancellationToken ct)
    {
        var reading = await _reader.ReadDeviceInformationAsync(device, ct).ConfigureAwait(false);
        if (reading.Problems.Count > 0) BleLog.DeviceInformationUnusable(_logger, _address, string.Join("; ", reading.Problems));
        if (reading.Information is not { } information) return;
        BleLog.DeviceInformationRead(_logger, _address, information.Manufacturer ?? "?", information.Model ?? "?", information.Firmware ?? "?",
            information.BatteryPercent?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?");
        if (_context.DeviceInformation is not { } store) return;
        try
        {
            await store.SaveAsync(_address, information, _context.Time.GetUtcNow(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The readings matter more than the description: they go on, with what the store already knew.
            BleLog.DeviceInformationNotSaved(_logger, _address, e.Message);
        }
    }

    private async Task StartLiveObservationsAsync(BluetoothDevice device, CancellationToken ct)
    {
        var controlPoint = await GattLookup.FindAsync(device, GattUuids.GenericHealthSensorService, GattUuids.GhsControlPoint, ct).ConfigureAwait(false);
        if (controlPoint is null || !controlPoint.Can(GattCharacteristicProperties.Write)) return;
        try
        {
            // GHS Control Point 0x01: start sending live observations (docs/devices.md).
            await controlPoint.WriteValueWithResponseAsync(new byte[] { 0x01 }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BleLog.Ignored(_logger, _address, "2bf4", "start live observations refused: " + e.Message);
        }
    }
}
