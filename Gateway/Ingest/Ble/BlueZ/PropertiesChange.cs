using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>One org.freedesktop.DBus.Properties.PropertiesChanged signal.</summary>
internal sealed record PropertiesChange(string Path, string Interface, Dictionary<string, VariantValue> Changed, string[] Invalidated, string? Sender);
