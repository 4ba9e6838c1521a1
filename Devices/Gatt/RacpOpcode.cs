namespace Vitals.Devices.Gatt;

/// <summary>Record Access Control Point 0x2A52 op codes (docs/devices.md).</summary>
public enum RacpOpcode : byte
{
    ReportStoredRecords = 0x01,
    DeleteStoredRecords = 0x02,
    Abort = 0x03,
    ReportNumberOfStoredRecords = 0x04,
    NumberOfStoredRecordsResponse = 0x05,
    ResponseCode = 0x06,
}
