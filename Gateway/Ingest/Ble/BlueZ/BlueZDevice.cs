using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// A Device1 object. Its properties live in the <see cref="BlueZObjectCache"/>, kept current by PropertiesChanged;
/// the instance stays valid across a bluetoothd restart (same address, same path).
/// </summary>
internal sealed class BlueZDevice : BluetoothDevice
{
    // ServicesResolved may change while the cache is being re-read; the wait re-reads the properties this often.
    private static readonly TimeSpan ResolvePoll = TimeSpan.FromSeconds(1);

    private readonly Device1Proxy _proxy;
    private readonly BlueZGattServer _gatt;
    private readonly ILogger _logger;
    private TaskCompletionSource _resolved = NewSignal();

    public BlueZDevice(BlueZBluetooth bluetooth, string path, string address, DBusConnection connection, ILogger logger)
    {
        Bluetooth = bluetooth;
        Path = path;
        Id = address;
        _logger = logger;
        _proxy = new Device1Proxy(connection, path, bluetooth.CallTimeout);
        _gatt = new BlueZGattServer(this);
    }

    public BlueZBluetooth Bluetooth { get; }

    public string Path { get; }

    public override string Id { get; }

    public override string? Name => Bluetooth.Cache.DeviceString(Path, "Alias") ?? Bluetooth.Cache.DeviceString(Path, "Name");

    public override RemoteGattServer Gatt => _gatt;

    public override bool IsPaired => Bluetooth.Cache.DeviceBool(Path, "Paired");

    // Battery1 sits on the device object next to Device1 (BlueZ doc/org.bluez.Battery.rst); a level over 100 is not a percentage.
    public override int? BatteryPercent => Bluetooth.Cache.Byte(Path, BlueZNames.Battery1, "Percentage") is { } level and <= 100 ? level : null;

    public override short? Rssi => Bluetooth.Cache.DeviceInt16(Path, "RSSI");

    public override IReadOnlyList<BluetoothUuid> Uuids => Bluetooth.Cache.DeviceUuids(Path);

    public override async Task ForgetAsync(CancellationToken ct)
    {
        try
        {
            await Bluetooth.RemoveDeviceAsync(Path, ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is BlueZNames.ErrorDoesNotExist or BlueZNames.ErrorUnknownObject)
        {
            // Already gone.
        }
    }

    public bool IsTrusted => Bluetooth.Cache.DeviceBool(Path, "Trusted");

    public bool IsConnectedAndResolved => Bluetooth.Cache.DeviceBool(Path, "Connected") && Bluetooth.Cache.DeviceBool(Path, "ServicesResolved");

    public override async Task PairAsync(Func<CancellationToken, Task<uint?>>? passkey, CancellationToken ct)
    {
        if (IsPaired)
        {
            return;
        }
        using var expectation = Bluetooth.Agent.Expect(Path, passkey);
        try
        {
            await _proxy.PairAsync(Bluetooth.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName == BlueZNames.ErrorAlreadyExists)
        {
            // Already paired (bluez.md).
        }
        catch (DBusErrorReplyException e)
        {
            throw new BluetoothPairingException(PairingError(e.ErrorName), $"{Id}: pairing failed: {e.ErrorName} {e.Message}", e);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            BlueZLog.CallTimedOut(_logger, "Pair", Path, Bluetooth.ConnectTimeout, "CancelPairing");
            await CompensateAsync(_proxy.CancelPairingAsync).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// BlueZ's Pair errors (doc/org.bluez.Device.rst): AuthenticationFailed is the device refusing the passkey; a device
    /// that cannot be paged or whose object went away (out of range, removed) is unreachable. BlueZ also answers
    /// AuthenticationCanceled when the link drops during pairing; the gateway cancels only after its own timeout (a
    /// TimeoutException, not this reply), so that reply means the device went away.
    /// </summary>
    internal static BluetoothPairingError PairingError(string? errorName) => errorName switch
    {
        BlueZNames.ErrorAuthenticationFailed => BluetoothPairingError.WrongPasskey,
        BlueZNames.ErrorConnectionAttemptFailed or BlueZNames.ErrorAuthenticationCanceled or BlueZNames.ErrorFailed or BlueZNames.ErrorNotReady
            or BlueZNames.ErrorDoesNotExist or BlueZNames.ErrorUnknownObject => BluetoothPairingError.Unreachable,
        _ => BluetoothPairingError.Failed,
    };

    public async Task ConnectAsync(CancellationToken ct)
    {
        if (!IsTrusted)
        {
            // Trusted: BlueZ lets the bonded device reconnect and use its services without asking the agent each time.
            await _proxy.SetTrustedAsync(true, ct).ConfigureAwait(false);
        }
        if (IsConnectedAndResolved)
        {
            return;
        }
        var timeout = Bluetooth.ConnectTimeout;
        var deadline = Bluetooth.Time.GetTimestamp();
        try
        {
            await _proxy.ConnectAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is BlueZNames.ErrorAlreadyConnected or BlueZNames.ErrorInProgress)
        {
            // Someone (BlueZ's own auto-connect, another client) is connecting or has connected it: wait for services.
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            BlueZLog.CallTimedOut(_logger, "Connect", Path, timeout, "Disconnect");
            await CompensateAsync(_proxy.DisconnectAsync).ConfigureAwait(false);
            throw;
        }

        // Connect returns when the link is up, BEFORE services are resolved (bluez.md).
        while (!IsConnectedAndResolved)
        {
            var left = timeout - Bluetooth.Time.GetElapsedTime(deadline);
            if (left <= TimeSpan.Zero)
            {
                BlueZLog.CallTimedOut(_logger, "ServicesResolved", Path, timeout, "Disconnect");
                await CompensateAsync(_proxy.DisconnectAsync).ConfigureAwait(false);
                throw new TimeoutException($"{Id}: services not resolved within {timeout}");
            }
            var signal = Volatile.Read(ref _resolved).Task;
            try
            {
                await signal.WaitAsync(left < ResolvePoll ? left : ResolvePoll, Bluetooth.Time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await Bluetooth.RefreshDeviceAsync(this, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await CompensateAsync(_proxy.DisconnectAsync).ConfigureAwait(false);
                throw;
            }
            if (!Bluetooth.Cache.DeviceBool(Path, "Connected") && signal.IsCompleted)
            {
                throw new InvalidOperationException($"{Id}: the link dropped while services were being resolved");
            }
        }
    }

    public void Disconnect() => _ = CompensateAsync(_proxy.DisconnectAsync);

    public Task<Dictionary<string, VariantValue>> GetAllAsync(CancellationToken ct) => _proxy.GetAllAsync(ct);

    /// <summary>Called by the cache when Connected or ServicesResolved changed.</summary>
    internal void OnLinkChanged(bool connected, bool resolved, bool wasConnected)
    {
        if (resolved || !connected)
        {
            Interlocked.Exchange(ref _resolved, NewSignal()).TrySetResult();
        }
        if (wasConnected && !connected)
        {
            OnGattServerDisconnected();
        }
    }

    private async Task CompensateAsync(Func<CancellationToken, Task> call)
    {
        try
        {
            await call(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DBusExceptionBase or TimeoutException or ObjectDisposedException)
        {
            // Best effort: the link is dropped or the stack is gone; either way nothing is left pending.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
