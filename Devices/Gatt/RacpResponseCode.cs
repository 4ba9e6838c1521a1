namespace Vitals.Devices.Gatt;

/// <summary>Record Access Control Point 0x2A52 response codes, in <c>06 00 &lt;request op code&gt; &lt;code&gt;</c> (docs/devices.md).</summary>
public enum RacpResponseCode : byte
{
    Success = 0x01,
    OpcodeNotSupported = 0x02,
    InvalidOperator = 0x03,
    OperatorNotSupported = 0x04,
    InvalidOperand = 0x05,
    NoRecordsFound = 0x06,
    AbortUnsuccessful = 0x07,
    ProcedureNotCompleted = 0x08,
    OperandNotSupported = 0x09,
    ServerBusy = 0x0A,
}
