namespace Vitals.Simulators.DeviceSimulator;

/// <summary>The gateway's resident memory <see cref="Seconds"/> into a load run.</summary>
public sealed record RssSample(double Seconds, double RssMb);
