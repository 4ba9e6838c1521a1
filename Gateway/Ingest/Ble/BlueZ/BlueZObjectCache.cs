using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// BlueZ's objects as last read (GetManagedObjects) and since changed by signals, with one wrapper per device, service
/// and characteristic. Wrappers are looked up by UUID through the cache, never kept by path by callers: object paths
/// carry ATT handles (BlueZ doc/org.bluez.GattCharacteristic.rst). Link changes of a device (Connected,
/// ServicesResolved) are reported to it outside the lock, so its handlers may call back in.
/// </summary>
internal sealed class BlueZObjectCache(string adapterPath, Func<string, string, BlueZDevice> newDevice, Func<BlueZService, string, BluetoothUuid, GattCharacteristicProperties, BlueZCharacteristic> newCharacteristic)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlueZDevice> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlueZService> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlueZCharacteristic> _characteristics = new(StringComparer.Ordinal);

    public BlueZDevice? Device(string path)
    {
        lock (_gate) return _devices.GetValueOrDefault(path);
    }

    public BlueZCharacteristic? Characteristic(string path)
    {
        lock (_gate) return _characteristics.GetValueOrDefault(path);
    }

    public bool Has(string path, string @interface)
    {
        lock (_gate) return _objects.TryGetValue(path, out var i) && i.ContainsKey(@interface);
    }

    public string? DeviceString(string path, string name)
    {
        lock (_gate) return Property(path, BlueZNames.Device1, name) is { Type: VariantValueType.String } v ? v.GetString() : null;
    }

    public byte? Byte(string path, string @interface, string name)
    {
        lock (_gate) return Property(path, @interface, name) is { Type: VariantValueType.Byte } v ? v.GetByte() : null;
    }

    public short? DeviceInt16(string path, string name)
    {
        lock (_gate) return Property(path, BlueZNames.Device1, name) is { Type: VariantValueType.Int16 } v ? v.GetInt16() : null;
    }

    /// <summary>Device1 UUIDs that parse; BlueZ lists them as 128-bit strings (doc/org.bluez.Device.rst).</summary>
    public IReadOnlyList<BluetoothUuid> DeviceUuids(string path)
    {
        string[] uuids;
        lock (_gate)
        {
            if (Property(path, BlueZNames.Device1, "UUIDs") is not { Type: VariantValueType.Array } v) return [];
            uuids = v.GetArray<string>();
        }
        var parsed = new List<BluetoothUuid>(uuids.Length);
        foreach (var u in uuids)
            if (BluetoothUuid.TryParse(u, out var uuid)) parsed.Add(uuid);
        return parsed;
    }

    public IReadOnlyList<BlueZDevice> Devices()
    {
        lock (_gate) return [.. _devices.Values.OrderBy(d => d.Path, StringComparer.Ordinal)];
    }

    public bool DeviceBool(string path, string name)
    {
        lock (_gate) return IsTrue(path, name);
    }

    public IReadOnlyList<GattService> ServicesOf(BlueZDevice device)
    {
        lock (_gate)
        {
            return [.. _services.Values.Where(s => ReferenceEquals(s.BlueZDevice, device) && IsPrimary(s.Path)).OrderBy(s => s.Path, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<GattCharacteristic> CharacteristicsOf(BlueZService service)
    {
        lock (_gate)
        {
            return [.. _characteristics.Values.Where(c => ReferenceEquals(c.BlueZService, service)).OrderBy(c => c.Path, StringComparer.Ordinal)];
        }
    }

    /// <summary>InterfacesAdded. Returns the device the object is, when it is a device not known before.</summary>
    public BlueZDevice? Add(string path, Dictionary<string, Dictionary<string, VariantValue>> interfaces)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(path, out var existing))
            {
                _objects[path] = existing = new(StringComparer.Ordinal);
            }
            foreach (var (name, properties) in interfaces) existing[name] = properties;
            return Index(path);
        }
    }

    /// <summary>InterfacesRemoved; returns the device whose Device1 object went, if it was one.</summary>
    public BlueZDevice? Remove(string path, string[] interfaces)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(path, out var existing)) return null;
            foreach (var name in interfaces) existing.Remove(name);
            if (interfaces.Contains(BlueZNames.GattCharacteristic1)) _characteristics.Remove(path);
            if (interfaces.Contains(BlueZNames.GattService1)) _services.Remove(path);
            BlueZDevice? removed = null;
            if (interfaces.Contains(BlueZNames.Device1)) _devices.Remove(path, out removed);
            if (existing.Count == 0) _objects.Remove(path);
            return removed;
        }
    }

    /// <summary>PropertiesChanged (other than a characteristic's Value, which is a measurement, not state).</summary>
    public void Apply(PropertiesChange change)
    {
        BlueZDevice? device = null;
        bool connected = false, resolved = false, wasConnected = false;
        lock (_gate)
        {
            if (!_objects.TryGetValue(change.Path, out var interfaces) || !interfaces.TryGetValue(change.Interface, out var properties))
            {
                return;
            }
            var isDevice = change.Interface == BlueZNames.Device1;
            wasConnected = isDevice && IsTrue(change.Path, "Connected");
            foreach (var (name, v) in change.Changed) properties[name] = v;
            foreach (var name in change.Invalidated) properties.Remove(name);
            if (isDevice && _devices.TryGetValue(change.Path, out device))
            {
                connected = IsTrue(change.Path, "Connected");
                resolved = IsTrue(change.Path, "ServicesResolved");
            }
        }
        device?.OnLinkChanged(connected, resolved, wasConnected);
    }

    /// <summary>Replaces everything with a fresh snapshot; returns the devices not known before.</summary>
    public List<BlueZDevice> Replace(Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>> objects)
    {
        var added = new List<BlueZDevice>();
        List<(BlueZDevice Device, bool Connected, bool Resolved, bool WasConnected)> links = [];
        lock (_gate)
        {
            var wasConnected = _devices.Keys.ToDictionary(p => p, p => IsTrue(p, "Connected"), StringComparer.Ordinal);
            _objects.Clear();
            _services.Clear();
            _characteristics.Clear();
            foreach (var (path, interfaces) in objects) _objects[path] = interfaces;
            // Device wrappers survive a bluetoothd restart (same address, same path): sessions keep their handlers.
            foreach (var path in _devices.Keys.Where(p => !objects.TryGetValue(p, out var i) || !i.ContainsKey(BlueZNames.Device1)).ToList())
            {
                _devices.Remove(path);
            }
            // Devices before services before characteristics: each level looks up its parent.
            foreach (var path in objects.Keys.OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal))
            {
                if (Index(path) is { } d) added.Add(d);
            }
            foreach (var (path, device) in _devices)
            {
                links.Add((device, IsTrue(path, "Connected"), IsTrue(path, "ServicesResolved"), wasConnected.GetValueOrDefault(path)));
            }
        }
        foreach (var l in links) l.Device.OnLinkChanged(l.Connected, l.Resolved, l.WasConnected);
        return added;
    }

    /// <summary>bluetoothd went away: every link with it is down.</summary>
    public void MarkAllDisconnected()
    {
        List<(BlueZDevice Device, bool WasConnected)> devices;
        lock (_gate)
        {
            devices = [.. _devices.Values.Select(d => (d, IsTrue(d.Path, "Connected")))];
            foreach (var interfaces in _objects.Values)
            {
                if (interfaces.TryGetValue(BlueZNames.Device1, out var p))
                {
                    p["Connected"] = VariantValue.Bool(false);
                    p["ServicesResolved"] = VariantValue.Bool(false);
                }
            }
        }
        foreach (var (device, wasConnected) in devices) device.OnLinkChanged(false, false, wasConnected);
    }

    /// <summary>Creates the wrapper for a newly seen object; returns a device that is new. Caller holds the lock.</summary>
    private BlueZDevice? Index(string path)
    {
        var interfaces = _objects[path];
        if (interfaces.TryGetValue(BlueZNames.Device1, out var device)
            && !_devices.ContainsKey(path)
            && path.StartsWith(adapterPath + "/", StringComparison.Ordinal)
            && device.TryGetValue("Address", out var address))
        {
            var created = newDevice(path, address.GetString().ToUpperInvariant());
            _devices[path] = created;
            return created;
        }
        if (interfaces.TryGetValue(BlueZNames.GattService1, out var service)
            && !_services.ContainsKey(path)
            && service.TryGetValue("Device", out var owner)
            && _devices.TryGetValue(owner.GetObjectPathAsString(), out var parent)
            && service.TryGetValue("UUID", out var uuid)
            && BluetoothUuid.TryParse(uuid.GetString(), out var serviceUuid))
        {
            _services[path] = new BlueZService(parent, path, serviceUuid);
        }
        if (interfaces.TryGetValue(BlueZNames.GattCharacteristic1, out var characteristic)
            && !_characteristics.ContainsKey(path)
            && characteristic.TryGetValue("Service", out var servicePath)
            && _services.TryGetValue(servicePath.GetObjectPathAsString(), out var parentService)
            && characteristic.TryGetValue("UUID", out var charUuid)
            && BluetoothUuid.TryParse(charUuid.GetString(), out var characteristicUuid))
        {
            var flags = characteristic.TryGetValue("Flags", out var f) ? f.GetArray<string>() : [];
            _characteristics[path] = newCharacteristic(parentService, path, characteristicUuid, BlueZCharacteristic.ParseFlags(flags));
        }
        return null;
    }

    // Caller holds the lock.
    private bool IsTrue(string path, string name) => Property(path, BlueZNames.Device1, name) is { Type: VariantValueType.Bool } v && v.GetBool();

    private bool IsPrimary(string servicePath) =>
        Property(servicePath, BlueZNames.GattService1, "Primary") is not { Type: VariantValueType.Bool } p || p.GetBool();

    private VariantValue? Property(string path, string @interface, string name) =>
        _objects.TryGetValue(path, out var interfaces)
        && interfaces.TryGetValue(@interface, out var properties)
        && properties.TryGetValue(name, out var value)
            ? value
            : (VariantValue?)null;
}
