namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>One row of the BLE simulator's GET /devices.</summary>
public sealed record BleSimulatedDevice(
    string Address,
    string Name,
    string Kind,
    bool Connected,
    bool Paired,
    bool Trusted,
    bool InRange,
    int Stored,
    double ClockOffsetSeconds);
