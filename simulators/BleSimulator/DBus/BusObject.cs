namespace Vitals.Simulators.BleSimulator.DBus;

/// <summary>An object path with its interfaces, in the order GetManagedObjects lists them.</summary>
internal sealed class BusObject
{
    private readonly List<BusInterface> _interfaces = [];

    public BusObject(string path, params BusInterface[] interfaces)
    {
        Path = path;
        foreach (var i in interfaces)
        {
            Attach(i);
        }
    }

    public string Path { get; }

    /// <summary>The tree that exports this object, while exported.</summary>
    public BusObjectTree? Tree { get; internal set; }

    public IReadOnlyList<BusInterface> Interfaces => _interfaces;

    public BusInterface? Find(string name) => _interfaces.Find(i => string.Equals(i.Name, name, StringComparison.Ordinal));

    private void Attach(BusInterface i)
    {
        if (i.Owner is not null)
        {
            throw new InvalidOperationException($"{i.Name} already belongs to {i.Owner.Path}");
        }
        i.Owner = this;
        _interfaces.Add(i);
    }
}
