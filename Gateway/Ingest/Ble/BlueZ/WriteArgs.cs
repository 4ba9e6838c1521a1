using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>Writes a method call's arguments. MessageWriter is a ref struct: it must travel by ref (bluez.md pitfalls).</summary>
internal delegate void WriteArgs(ref MessageWriter writer);
