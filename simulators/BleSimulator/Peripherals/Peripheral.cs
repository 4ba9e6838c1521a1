namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>
/// The device itself, as opposed to bluetoothd's view of it: what it advertises, its clock, whether it is in range,
/// the Client Characteristic Configuration it keeps for the collector (remembered across connections only while it
/// holds a bond, as the Bluetooth Core spec requires of a bonded server), and the readings it has not sent yet.
/// Used under the daemon's lock only.
/// </summary>
internal sealed class Peripheral
{
    public Peripheral(int index, DeviceKind kind, string passkey, TimeSpan clockOffset, int seed)
    {
        Index = index;
        Kind = kind;
        Address = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"C0:FF:EE:00:{(index + 1) >> 8:X2}:{(index + 1) & 0xFF:X2}");
        Name = kind.DefaultName();
        Passkey = passkey;
        ClockOffset = clockOffset;
        Services = GattLayout.For(kind);
        MeasurementUuid = GattLayout.MeasurementUuid(kind);
        Generator = new ReadingGenerator(unchecked(seed * 7919 + index));
        Information = DeviceInformationValues.For(this);
    }

    /// <summary>Its Device Information Service values and battery level.</summary>
    public DeviceInformationValues Information { get; }

    public int Index { get; }

    public DeviceKind Kind { get; }

    public string Address { get; }

    public string Name { get; }

    public string Passkey { get; }

    /// <summary>Device clock minus true time (the thermometer runs fast, the BP monitor slow until a collector sets it).</summary>
    public TimeSpan ClockOffset { get; set; }

    public IReadOnlyList<ServiceSpec> Services { get; }

    public ushort MeasurementUuid { get; }

    public ReadingGenerator Generator { get; }

    public bool IsGhs => Kind == DeviceKind.Respiratory;

    /// <summary>Out of range (not advertising, connections fail) until this time.</summary>
    public DateTimeOffset AwayUntil { get; set; } = DateTimeOffset.MinValue;

    /// <summary>The device holds a bond with the adapter (so it keeps its CCCDs across connections).</summary>
    public bool Bonded { get; set; }

    /// <summary>Characteristics whose CCCD the collector enabled (BlueZ writes it on StartNotify and on re-arm).</summary>
    public HashSet<ushort> EnabledCccds { get; } = [];

    /// <summary>HTS/BPS/WSS: measurements taken while they could not be indicated, oldest first.</summary>
    public Queue<Measurement> Pending { get; } = new();

    /// <summary>GHS: the stored observation records, by record number.</summary>
    public List<Measurement> Records { get; } = [];

    public uint NextRecordNumber { get; set; } = 1;

    /// <summary>GHS control point: the collector wrote 02 (stop live observations).</summary>
    public bool LiveStopped { get; set; }

    /// <summary>GHS rolling segment counter (b2..7 of the segmentation byte), per characteristic.</summary>
    public Dictionary<ushort, int> SegmentCounters { get; } = [];

    /// <summary>The ATT MTU of the current connection (23 makes a GHS record span two notifications).</summary>
    public int Mtu { get; set; } = 23;

    public DateTimeOffset LastTakenAt { get; set; } = DateTimeOffset.MinValue;

    public DateTimeOffset NextScheduledReading { get; set; }

    /// <summary>The number of connections so far; picks each connection's MTU.</summary>
    public int Connections { get; set; }

    public bool IsInRange(DateTimeOffset now) => now >= AwayUntil;

    public int StoredCount => IsGhs ? Records.Count : Pending.Count;
}
