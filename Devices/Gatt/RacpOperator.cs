namespace Vitals.Devices.Gatt;

/// <summary>Record Access Control Point 0x2A52 operators (docs/devices.md). Operators 02..04 need an operand.</summary>
public enum RacpOperator : byte
{
    Null = 0x00,
    AllRecords = 0x01,
    LessThanOrEqual = 0x02,
    GreaterThanOrEqual = 0x03,
    WithinRange = 0x04,
    FirstRecord = 0x05,
    LastRecord = 0x06,
}
