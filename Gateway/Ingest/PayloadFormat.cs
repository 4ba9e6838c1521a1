using System.Diagnostics.CodeAnalysis;
using Vitals.Devices;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// How a payload is encoded: a JSON reading of one <see cref="VitalKind"/> (the MQTT contract), or the raw value of a
/// Bluetooth SIG GATT characteristic, named by its 16-bit UUID (GATT Specification Supplement; Core Specification
/// vol 3 part B 2.5.1 for the Base UUID).
/// </summary>
public readonly record struct PayloadFormat
{
    private PayloadFormat(VitalKind? kind, ushort? characteristic)
    {
        JsonKind = kind;
        GattCharacteristic = characteristic;
    }

    /// <summary>What a JSON payload measures; null for a GATT value.</summary>
    public VitalKind? JsonKind { get; }

    /// <summary>The characteristic of a GATT value; null for JSON.</summary>
    public ushort? GattCharacteristic { get; }

    [MemberNotNullWhen(true, nameof(GattCharacteristic))]
    [MemberNotNullWhen(false, nameof(JsonKind))]
    public bool IsGatt => GattCharacteristic is not null;

    public static PayloadFormat Json(VitalKind kind) => new(kind, null);

    public static PayloadFormat Gatt(ushort characteristic) => new(null, characteristic);

    public override string ToString() => IsGatt ? $"gatt 0x{GattCharacteristic.Value:X4}" : $"json {JsonKind.Value.ToTopicName()}";
}
