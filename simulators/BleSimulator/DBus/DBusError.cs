namespace Vitals.Simulators.BleSimulator.DBus;

/// <summary>An error reply: D-Bus error name and message.</summary>
internal sealed record DBusError(string Name, string Message);
