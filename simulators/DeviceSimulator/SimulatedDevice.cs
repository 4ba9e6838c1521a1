using System.Globalization;
using Vitals.Devices;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// One simulated device. Its id is deterministic (<c>{prefix}-{kind}-{n:0000}</c>, n from 1) so that a test can bind
/// the devices to patients before the simulator starts.
/// </summary>
public sealed record SimulatedDevice(string Id, VitalKind Kind, int Number)
{
    /// <summary>The topic of the MQTT contract: <c>vitals/{deviceId}/{kind}</c>.</summary>
    public string Topic => $"vitals/{Id}/{Kind.ToTopicName()}";

    public static string IdFor(string prefix, VitalKind kind, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{kind.ToTopicName()}-{number:0000}");
}
