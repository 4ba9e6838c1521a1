namespace Vitals.Gateway.Tests.Ingest.Ble.BlueZ;

/// <summary>Tests that start dbus-daemon and the BLE simulator run one at a time (2 cores, shared machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlueZCollection
{
    public const string Name = "BlueZ";
}
