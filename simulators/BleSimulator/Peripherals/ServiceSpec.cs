namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>A primary service of a device model with its characteristics, in handle order.</summary>
internal sealed record ServiceSpec(ushort Uuid, IReadOnlyList<CharacteristicSpec> Characteristics);
