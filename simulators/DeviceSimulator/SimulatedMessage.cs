namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// One MQTT message a simulated device publishes. <see cref="Sequence"/> is the payload's <c>id</c> (the device's own
/// increasing measurement number); <see cref="Malformed"/> says which bad input it is, or null for a good reading.
/// </summary>
public sealed record SimulatedMessage(SimulatedDevice Device, string Topic, byte[] Payload, long Sequence, MalformedKind? Malformed)
{
    public bool IsMalformed => Malformed is not null;
}
