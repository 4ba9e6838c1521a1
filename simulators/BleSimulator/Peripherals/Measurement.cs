using Vitals.Devices.Gatt;

namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>
/// A reading as the device sends it: the measurement value, the notifications that precede it (Intermediate Cuff
/// Pressure) and, for GHS, the observation so it can be sent live or as a numbered stored record.
/// </summary>
internal sealed record Measurement(SimulatedReading Reading, byte[] Value, IReadOnlyList<byte[]> Intermediates, GhsObservation? Observation);
