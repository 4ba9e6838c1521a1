namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>One row of GET /devices.</summary>
internal sealed record DeviceSnapshot(
    string Address,
    string Name,
    string Kind,
    bool Connected,
    bool Paired,
    bool Trusted,
    bool InRange,
    int Stored,
    double ClockOffsetSeconds);
