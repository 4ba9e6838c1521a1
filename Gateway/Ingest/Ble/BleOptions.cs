namespace Vitals.Gateway.Ingest.Ble;

/// <summary>The <c>Ble</c> configuration section (README "Configuration"); validated by <see cref="BleOptionsValidator"/>.</summary>
public sealed class BleOptions
{
    public const string SectionName = "Ble";

    /// <summary><c>Ble:Enabled</c>: connect to bound Bluetooth LE devices through BlueZ.</summary>
    public bool Enabled { get; set; }

    /// <summary><c>Ble:DBusAddress</c>: the bus BlueZ serves <c>org.bluez</c> on; empty = the system bus.</summary>
    public string DBusAddress { get; set; } = "";

    /// <summary><c>Ble:Adapter</c>: the adapter name (<c>/org/bluez/hci0</c>).</summary>
    public string Adapter { get; set; } = "hci0";

    /// <summary><c>Ble:CallTimeout</c>: every D-Bus call is bounded by this (CallMethodAsync has no timeout of its own).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Ble:ConnectTimeout</c>: Connect, then ServicesResolved, or Pair; on expiry the call is compensated.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Ble:ReconnectBaseDelay</c>: first delay after a failed or lost connection (exponential, full jitter).</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Ble:ReconnectMaxDelay</c>: the backoff's ceiling.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>Ble:BindingPollInterval</c>: how often the store's bindings are re-read; the CLI binds devices from another
    /// process, so the worker cannot be told directly.
    /// </summary>
    public TimeSpan BindingPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Ble:StoredRecordsTimeout</c>: how long a GHS device may take to report its stored records (RACP).</summary>
    public TimeSpan StoredRecordsTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Ble:HeartRateInterval</c>: a Heart Rate 0x2A37 stream (about one value a second) becomes at most one reading
    /// per interval, the median of its values (<see cref="Vitals.Devices.Gatt.HeartRateSummary"/>). At least one
    /// minute: readings without a device time are told apart by their UTC minute (docs/fhir.md, "Identifiers").
    /// </summary>
    public TimeSpan HeartRateInterval { get; set; } = TimeSpan.FromMinutes(1);
}
