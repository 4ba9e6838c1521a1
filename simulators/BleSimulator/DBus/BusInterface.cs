using Tmds.DBus.Protocol;

namespace Vitals.Simulators.BleSimulator.DBus;

/// <summary>
/// One D-Bus interface of an exported object: its properties (served by org.freedesktop.DBus.Properties and
/// GetManagedObjects, changes announced with PropertiesChanged) and its methods. Used under the daemon's lock only.
/// </summary>
internal abstract class BusInterface
{
    private readonly Dictionary<string, VariantValue> _properties = new(StringComparer.Ordinal);

    protected BusInterface(string name) => Name = name;

    public string Name { get; }

    /// <summary>The object this interface is part of, once attached.</summary>
    public BusObject? Owner { get; internal set; }

    public IReadOnlyDictionary<string, VariantValue> Properties => _properties;

    /// <summary>A client's Properties.Set; read-only unless overridden. Returns null on success, else the error.</summary>
    public virtual DBusError? SetFromClient(string sender, string property, VariantValue value) =>
        _properties.ContainsKey(property)
            ? new DBusError(BluezErrors.PropertyReadOnly, $"Property '{property}' is not writable")
            : new DBusError(BluezErrors.DBusInvalidArgs, $"No such property '{property}'");

    /// <summary>Handles a method of this interface; false when there is no such method.</summary>
    public abstract bool TryHandle(MethodCall call);

    /// <summary>
    /// Sets a property; an exported object announces the change with PropertiesChanged. Equal values are not
    /// announced unless <paramref name="always"/> (GattCharacteristic1.Value: one signal per PDU even when the bytes
    /// repeat, bluez.md).
    /// </summary>
    protected void SetProperty(string name, VariantValue value, bool always = false)
    {
        if (!always && _properties.TryGetValue(name, out var old) && old.Equals(value))
        {
            return;
        }
        _properties[name] = value;
        Owner?.Tree?.EmitPropertiesChanged(Owner.Path, Name, name, value);
    }

    /// <summary>Removes a property (e.g. RSSI when the device is no longer seen); announced as invalidated.</summary>
    protected void RemoveProperty(string name)
    {
        if (_properties.Remove(name))
        {
            Owner?.Tree?.EmitPropertyInvalidated(Owner.Path, Name, name);
        }
    }
}
