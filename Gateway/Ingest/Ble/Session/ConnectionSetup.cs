using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>
/// Brings one device's link up for a session: find it, watch for the link dropping, pair if a passkey waits, arm the
/// measurement characteristics, connect, arm again. The order is what keeps stored readings: see
/// <see cref="ConnectAsync"/>.
/// </summary>
internal sealed class ConnectionSetup
{
    private readonly string _address;
    private readonly Bluetooth _bluetooth;
    private readonly BleSessionContext _context;
    private readonly EventHandler<GattValueChangedEventArgs> _onValue;
    private readonly EventHandler _onLinkLost;
    // Characteristics whose value event is hooked; cleared when the stack restarts (its objects are new then).
    private readonly HashSet<GattCharacteristic> _hooked = [];
    private TaskCompletionSource _linkLost = NewSignal();
    private BluetoothDevice? _watched;

    public ConnectionSetup(string address, Bluetooth bluetooth, BleSessionContext context, EventHandler<GattValueChangedEventArgs> onValue)
    {
        _address = address;
        _bluetooth = bluetooth;
        _context = context;
        _onValue = onValue;
        _onLinkLost = (_, _) => _linkLost.TrySetResult();
    }

    /// <summary>Completes when the link of the current connection attempt is lost.</summary>
    public Task LinkLost => Volatile.Read(ref _linkLost).Task;

    /// <summary>The device as the stack knows it, waiting up to Ble:BindingPollInterval for discovery to find it.</summary>
    public async Task<BluetoothDevice> FindDeviceAsync(CancellationToken ct)
    {
        if (_bluetooth.GetDevice(_address) is { } known) return known;
        BleLog.NotDiscovered(_context.Logger, _address);
        var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAdded(object? sender, BluetoothDevice d)
        {
            if (d.Id == _address) added.TrySetResult();
        }
        _bluetooth.DeviceAdded += OnAdded;
        try
        {
            if (_bluetooth.GetDevice(_address) is null)
            {
                await Task.WhenAny(added.Task, Task.Delay(_context.Options.BindingPollInterval, _context.Time, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _bluetooth.DeviceAdded -= OnAdded;
        }
        return _bluetooth.GetDevice(_address) ?? throw new BleSessionException("not discovered (out of range or not advertising)");
    }

    /// <summary>Returns how many characteristics are armed once the link is up and its services are resolved.</summary>
    public async Task<int> ConnectAsync(BluetoothDevice device, CancellationToken ct)
    {
        Watch(device);
        Volatile.Write(ref _linkLost, NewSignal());
        // Pairing first: BlueZ's Pair connects the device itself and resolves its services (doc/org.bluez.Device.rst),
        // and a device that protects its characteristics refuses them until bonded.
        await PairIfAskedAsync(device, ct).ConfigureAwait(false);
        // Armed BEFORE Connect: BlueZ confirms indications itself even when nobody listens, so a device that indicates
        // its stored readings as soon as the link is up would have them confirmed, deleted and lost. A bonded device's
        // GATT objects outlive the link and a notify session started while disconnected is armed for the next
        // connection (BlueZ doc/org.bluez.GattCharacteristic.rst, StartNotify; docs/bluez.md).
        await ArmAsync(device, ct).ConfigureAwait(false);
        // Completes only once ServicesResolved is true: BlueZ's Device1.Connect returns when the link is up, before
        // the services are resolved (doc/org.bluez.Device.rst).
        await device.Gatt.ConnectAsync(ct).ConfigureAwait(false);
        // Again after Connect: a first connection has no cached objects to arm before, and some stacks refuse early.
        var armed = await ArmAsync(device, ct).ConfigureAwait(false);
        if (LinkLost.IsCompleted && !device.Gatt.IsConnected)
        {
            throw new BleSessionException("the link dropped right after connecting");
        }
        return armed;
    }

    /// <summary>bluetoothd restarted: its characteristic objects are new and the link is gone.</summary>
    public void OnStackRestarted()
    {
        lock (_hooked) _hooked.Clear();
        Volatile.Read(ref _linkLost).TrySetResult();
    }

    /// <summary>The session ends: stop watching and drop the link.</summary>
    public void Release()
    {
        if (_watched is not { } device) return;
        device.GattServerDisconnected -= _onLinkLost;
        if (device.Gatt.IsConnected) device.Gatt.Disconnect();
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
            BleLog.PairingFailed(_context.Logger, _address, e.Message);
            throw;
        }
        // Removed only once BlueZ reports the bond: a failed attempt keeps the passkey for the next connection.
        await _context.Pairings.RemoveAsync(_address, ct).ConfigureAwait(false);
        BleLog.Paired(_context.Logger, _address);
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
                    || !characteristic.Can(GattCharacteristicProperties.Notify | GattCharacteristicProperties.Indicate))
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
                    BleLog.ArmFailed(_context.Logger, _address, characteristic.Uuid.ToShortString(), e.Message);
                }
            }
        }
        return armed;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
