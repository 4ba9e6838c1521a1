namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>What became of a reading so far (the "delivered" field of the control API).</summary>
internal static class ReadingFate
{
    /// <summary>Sent as a PropertiesChanged on Value while at least one notify session was armed.</summary>
    public const string Indicated = "indicated";

    /// <summary>Kept on the device, waiting for a connection with indications enabled (or RACP, for GHS).</summary>
    public const string Stored = "stored";

    /// <summary>Indicated while BlueZ had no notify session: BlueZ confirmed it itself and nobody saw it.</summary>
    public const string Lost = "lost";
}
