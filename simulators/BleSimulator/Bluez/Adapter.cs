using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// Adapter1 (BlueZ doc/org.bluez.Adapter.rst): Powered, discovery with per-client filters (merged, as BlueZ does),
/// RemoveDevice (which deletes the bond), and the Device1 objects of devices seen or bonded. Called with the daemon's
/// lock held.
/// </summary>
internal sealed class Adapter(DaemonState state, Link link, GattExport gatt, PairingAgent pairing)
{
    private readonly HashSet<string> _discoverers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DiscoveryFilter> _filters = new(StringComparer.Ordinal);
    private GattManagerInterface _gattManager = null!;

    public void Export(bool powered)
    {
        state.Adapter = new AdapterInterface(this, "00:1A:7D:DA:71:13", "vitals-ble-simulator", powered);
        _gattManager = new GattManagerInterface();
        state.Tree.Add(new BusObject("/org/bluez", new AgentManagerInterface(pairing)));
        state.Tree.Add(new BusObject(state.AdapterPath, state.Adapter, _gattManager));
    }

    /// <param name="rssi">set when the device was just seen advertising (part of InterfacesAdded, as in BlueZ)</param>
    public DeviceEntry EnsureEntry(Peripheral p, short? rssi = null)
    {
        if (state.Entries.TryGetValue(p.Address, out var existing))
        {
            if (rssi is { } seen && !existing.Device.Connected)
            {
                existing.Device.SetRssi(seen);
            }
            if (rssi is not null)
            {
                existing.LastSeen = state.Time.GetUtcNow();
            }
            return existing;
        }
        var entry = new DeviceEntry(p, state.AdapterPath + "/dev_" + p.Address.Replace(':', '_')) { LastSeen = state.Time.GetUtcNow() };
        entry.Device = new DeviceInterface(link, pairing, entry, state.AdapterPath, state.Bonds.Contains(p.Address), state.Trusted.Contains(p.Address));
        if (rssi is { } first)
        {
            entry.Device.SetRssi(first);
        }
        entry.Object = new BusObject(entry.Path, entry.Device, new BatteryInterface(p.Information.BatteryPercent));
        state.Entries.Add(p.Address, entry);
        state.Tree.Add(entry.Object);
        return entry;
    }


    public void SetPowered(bool powered)
    {
        if (state.Adapter.Powered == powered)
        {
            return;
        }
        if (!powered)
        {
            foreach (var entry in state.Entries.Values.Where(e => e.Device.Connected || e.Connecting))
            {
                entry.Connecting = false;
                link.LinkDown(entry, "adapter powered off");
            }
            _discoverers.Clear();
            state.Adapter.SetDiscovering(false);
        }
        state.Adapter.SetPowered(powered);
    }

    public void SetDiscoveryFilter(MethodCall call, Dictionary<string, VariantValue> filter)
    {
        var parsed = new DiscoveryFilter();
        foreach (var (key, value) in filter)
        {
            switch (key)
            {
                case "UUIDs" when value.Type == VariantValueType.Array && value.ItemType == VariantValueType.String:
                    parsed.Uuids = value.GetArray<string>().Select(NormalizeUuid).ToHashSet(StringComparer.Ordinal);
                    break;
                case "Transport" when value.Type == VariantValueType.String && value.GetString() is "auto" or "le" or "bredr":
                    parsed.Transport = value.GetString();
                    break;
                case "DuplicateData" or "Discoverable" when value.Type == VariantValueType.Bool:
                    break;
                case "RSSI" when value.Type == VariantValueType.Int16:
                    parsed.Rssi = value.GetInt16();
                    break;
                case "Pathloss" when value.Type == VariantValueType.UInt16:
                    break;
                case "Pattern" when value.Type == VariantValueType.String:
                    parsed.Pattern = value.GetString();
                    break;
                default:
                    call.ReplyError(BluezErrors.InvalidArguments, "Invalid arguments in method call");
                    return;
            }
        }
        if (filter.Count == 0)
        {
            _filters.Remove(call.Sender);
        }
        else
        {
            _filters[call.Sender] = parsed;
        }
        call.ReplyEmpty();
    }

    public void StartDiscovery(MethodCall call)
    {
        if (state.RefusedUnpowered(call))
        {
            return;
        }
        if (!_discoverers.Add(call.Sender))
        {
            call.ReplyError(BluezErrors.InProgress, "Operation already in progress");
            return;
        }
        state.Adapter.SetDiscovering(true);
        call.ReplyEmpty();
        Scan();
    }

    public void StopDiscovery(MethodCall call)
    {
        if (!_discoverers.Remove(call.Sender))
        {
            call.ReplyError(BluezErrors.Failed, "No discovery started");
            return;
        }
        if (_discoverers.Count == 0)
        {
            state.Adapter.SetDiscovering(false);
        }
        call.ReplyEmpty();
    }

    public void RemoveDevice(MethodCall call, string path)
    {
        var entry = state.Entries.Values.FirstOrDefault(e => e.Path == path);
        if (entry is null)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        entry.Pairing?.Cancel();
        if (entry.Device.Connected || entry.Connecting)
        {
            entry.Connecting = false;
            link.LinkDown(entry, "device removed");
        }
        Drop(entry);
        // RemoveDevice deletes the bond on both sides (bluez.md).
        state.Bonds.Remove(entry.Peripheral.Address);
        state.Trusted.Remove(entry.Peripheral.Address);
        entry.Peripheral.Bonded = false;
        entry.Peripheral.EnabledCccds.Clear();
        call.ReplyEmpty();
    }

    /// <summary>Devices in range that some discovering client's filter accepts become known (Device1 exported) with an RSSI.</summary>
    public void Scan()
    {
        var now = state.Time.GetUtcNow();
        ExpireTemporary(now);
        if (_discoverers.Count == 0 || !state.Adapter.Powered)
        {
            return;
        }
        foreach (var p in state.Peripherals)
        {
            if (!p.IsInRange(now) || !_discoverers.Any(d => !_filters.TryGetValue(d, out var f) || f.Accepts(p)))
            {
                continue;
            }
            EnsureEntry(p, (short)(-52 - p.Index % 30));
        }
    }

    /// <summary>
    /// BlueZ keeps a device it only saw advertising as "temporary" and removes its object (InterfacesRemoved)
    /// TemporaryTimeout after it was last seen, unless it is bonded or connected meanwhile (BlueZ src/device.c,
    /// main.conf TemporaryTimeout): a device switched off or carried away drops out of every client's list.
    /// </summary>
    private void ExpireTemporary(DateTimeOffset now)
    {
        List<DeviceEntry>? expired = null;
        foreach (var entry in state.Entries.Values)
        {
            if (now - entry.LastSeen >= state.Options.TemporaryTimeout && !state.Bonds.Contains(entry.Peripheral.Address)
                && !entry.Device.Connected && !entry.Connecting && entry.Pairing is null)
            {
                (expired ??= []).Add(entry);
            }
        }
        foreach (var entry in expired ?? [])
        {
            Drop(entry);
        }
    }

    /// <summary>The device's objects go (InterfacesRemoved) and bluetoothd forgets it until a scan sees it again.</summary>
    private void Drop(DeviceEntry entry)
    {
        gatt.RemoveGatt(entry);
        state.Tree.Remove(entry.Path);
        state.Entries.Remove(entry.Peripheral.Address);
    }

    private static string NormalizeUuid(string uuid)
    {
        var lower = uuid.ToLowerInvariant();
        return lower.Length == 4 ? $"0000{lower}-0000-1000-8000-00805f9b34fb"
            : lower.Length == 8 ? $"{lower}-0000-1000-8000-00805f9b34fb"
            : lower;
    }

    /// <summary>A client left the bus: its discovery session, filter and registered applications end.</summary>
    public void Forget(string sender)
    {
        _filters.Remove(sender);
        if (_discoverers.Remove(sender) && _discoverers.Count == 0)
        {
            state.Adapter.SetDiscovering(false);
        }
        _gattManager.Forget(sender);
    }

    /// <summary>bluetoothd restarted: no discovery session or filter survives.</summary>
    public void Reset()
    {
        _discoverers.Clear();
        _filters.Clear();
    }
}
