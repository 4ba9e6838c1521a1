using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Ble.Session;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// The Bluetooth LE source (Ble:Enabled): opens the stack, discovers devices advertising a health service, and keeps
/// one <see cref="BleDeviceSession"/> per bound device whose id is a Bluetooth address. Bindings are re-read every
/// Ble:BindingPollInterval because the CLI binds from another process. A lost connection to the stack is reopened
/// with backoff; a bluetoothd restart is handled below it (the stack resynchronises, sessions reconnect).
/// </summary>
public sealed class BleIngestService : BackgroundService
{
    private readonly BluetoothConnector _connector;
    private readonly IDeviceBindings _bindings;
    private readonly BleOptions _options;
    private readonly ILogger<BleIngestService> _logger;
    private readonly BleSessionContext _context;
    private readonly BleDeviceRegistry _registry;
    private readonly NearbyDevices _nearby;
    private readonly Dictionary<string, BleDeviceSession> _sessions = new(StringComparer.Ordinal);

    public BleIngestService(
        BluetoothConnector connector,
        IDeviceBindings bindings,
        IngestPipeline pipeline,
        IPendingPairings pairings,
        IDeviceInformation deviceInformation,
        BleDeviceRegistry registry,
        BleMetrics metrics,
        IOptions<BleOptions> options,
        IOptions<IngestOptions> ingest,
        TimeProvider time,
        ILogger<BleIngestService> logger,
        NearbyDevices nearby)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ingest);
        _connector = connector;
        _bindings = bindings;
        _options = options.Value;
        _logger = logger;
        _registry = registry;
        _nearby = nearby;
        if (!ingest.Value.TryGetTimeZone(out var zone))
        {
            throw new InvalidOperationException($"{IngestOptions.SectionName}:{nameof(IngestOptions.TimeZone)} '{ingest.Value.TimeZone}' is not a known time zone");
        }
        _context = new BleSessionContext(_options, pipeline, pairings, registry, metrics, zone, time, logger) { DeviceInformation = deviceInformation };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new ExponentialBackoff(_options.ReconnectBaseDelay, _options.ReconnectMaxDelay);
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            Bluetooth bluetooth;
            try
            {
                bluetooth = await _connector(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var delay = backoff.Delay(Math.Min(attempt++, 1_000));
                _registry.StackChanged(false, e.Message);
                BleLog.StackUnavailable(_logger, e.Message, delay);
                if (!await DelayAsync(delay, stoppingToken).ConfigureAwait(false)) return;
                continue;
            }
            attempt = 0;
            BleLog.Started(_logger, string.IsNullOrWhiteSpace(_options.DBusAddress) ? "the system bus" : _options.DBusAddress, _options.Adapter);
            _nearby.Attach(bluetooth);
            try
            {
                await ServeAsync(bluetooth, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                _nearby.Detach(bluetooth);
                await StopSessionsAsync().ConfigureAwait(false);
                await bluetooth.DisposeAsync().ConfigureAwait(false);
            }
            if (!stoppingToken.IsCancellationRequested)
            {
                _registry.StackChanged(false, "connection to the Bluetooth stack lost");
                BleLog.StackLost(_logger);
                if (!await DelayAsync(backoff.Delay(Math.Min(attempt++, 1_000)), stoppingToken).ConfigureAwait(false)) return;
            }
        }
    }

    private async Task ServeAsync(Bluetooth bluetooth, CancellationToken ct)
    {
        try
        {
            await bluetooth.StartDiscoveryAsync(HealthGatt.Services, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BleLog.DiscoveryFailed(_logger, e.Message);
        }
        while (!ct.IsCancellationRequested && !bluetooth.Disconnected.IsCompleted)
        {
            await CheckStackAsync(bluetooth, ct).ConfigureAwait(false);
            await RefreshSessionsAsync(bluetooth, ct).ConfigureAwait(false);
            try
            {
                await Task.WhenAny(bluetooth.Disconnected, Task.Delay(_options.BindingPollInterval, _context.Time, ct)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The bus is open, but is bluetoothd on it with the adapter powered? (for the readiness check)</summary>
    private async Task CheckStackAsync(Bluetooth bluetooth, CancellationToken ct)
    {
        try
        {
            var available = await bluetooth.GetAvailabilityAsync(ct).ConfigureAwait(false);
            _registry.StackChanged(available, available ? null : $"org.bluez is not on the bus or adapter {_options.Adapter} is not powered");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _registry.StackChanged(false, e.Message);
        }
    }

    private async Task RefreshSessionsAsync(Bluetooth bluetooth, CancellationToken ct)
    {
        HashSet<string> bound;
        try
        {
            // Only the current bindings: this runs every Ble:BindingPollInterval, and the device list with its counts
            // would cost a pass over every device the gateway has ever seen.
            bound = [.. (await _bindings.ListBoundDeviceIdsAsync(ct).ConfigureAwait(false)).Where(BleAddress.IsAddress)];
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BleLog.BindingsFailed(_logger, e);
            return;
        }
        foreach (var address in bound.Where(a => !_sessions.ContainsKey(a)).Order(StringComparer.Ordinal))
        {
            var session = new BleDeviceSession(address, bluetooth, _context);
            _sessions[address] = session;
            session.Start();
            BleLog.SessionStarted(_logger, address);
        }
        foreach (var address in _sessions.Keys.Where(a => !bound.Contains(a)).ToList())
        {
            _sessions.Remove(address, out var session);
            await session!.DisposeAsync().ConfigureAwait(false);
            BleLog.SessionStopped(_logger, address);
        }
    }

    private async Task StopSessionsAsync()
    {
        foreach (var session in _sessions.Values) await session.DisposeAsync().ConfigureAwait(false);
        _sessions.Clear();
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _context.Time, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
