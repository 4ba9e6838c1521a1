using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// A signal the test client received: PropertiesChanged (Path, Interface, Properties, Names = invalidated),
/// InterfacesAdded (Path = the object, Names = its interfaces, Interfaces), InterfacesRemoved (Path, Names) or
/// NameOwnerChanged (Names = name, old owner, new owner). <see cref="Serial"/> orders it against method replies
/// from the same sender.
/// </summary>
internal sealed record BluezSignal(
    uint Serial,
    string Member,
    string Path,
    string? Interface,
    IReadOnlyDictionary<string, VariantValue> Properties,
    IReadOnlyList<string> Names,
    IReadOnlyDictionary<string, Dictionary<string, VariantValue>> Interfaces)
{
    public bool IsPropertyChange(string path, string property) =>
        Member == "PropertiesChanged" && Path == path && Properties.ContainsKey(property);

    public bool IsValueChange(string characteristicPath) => IsPropertyChange(characteristicPath, "Value");

    public byte[] Value => Properties["Value"].GetArray<byte>();
}
