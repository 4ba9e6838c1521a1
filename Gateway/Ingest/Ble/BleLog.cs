using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// BLE ingest log events, ids 1240-1299 (1200-1239: the BlueZ client). Addresses identify devices, not patients;
/// no patient ids, passkeys or measured values above Debug.
/// </summary>
internal static partial class BleLog
{
    [LoggerMessage(EventId = 1240, Level = LogLevel.Information, Message = "Bluetooth LE ingest started on {Bus}, adapter {Adapter}")]
    public static partial void Started(ILogger logger, string bus, string adapter);

    [LoggerMessage(EventId = 1241, Level = LogLevel.Warning, Message = "Bluetooth stack unavailable ({Reason}); retrying in {Delay}")]
    public static partial void StackUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1242, Level = LogLevel.Warning, Message = "Connection to the Bluetooth stack lost; reconnecting")]
    public static partial void StackLost(ILogger logger);

    [LoggerMessage(EventId = 1243, Level = LogLevel.Warning, Message = "Starting discovery failed ({Reason}); bonded devices still connect")]
    public static partial void DiscoveryFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1244, Level = LogLevel.Information, Message = "Watching bound Bluetooth LE device {Address}")]
    public static partial void SessionStarted(ILogger logger, string address);

    [LoggerMessage(EventId = 1245, Level = LogLevel.Information, Message = "Stopped watching {Address} (no longer bound)")]
    public static partial void SessionStopped(ILogger logger, string address);

    [LoggerMessage(EventId = 1246, Level = LogLevel.Warning, Message = "Reading bindings from the store failed; keeping the current devices")]
    public static partial void BindingsFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1250, Level = LogLevel.Information, Message = "{Address} connected; {Armed} characteristic(s) armed")]
    public static partial void Connected(ILogger logger, string address, int armed);

    [LoggerMessage(EventId = 1251, Level = LogLevel.Information, Message = "{Address} disconnected; reconnecting in {Delay}")]
    public static partial void Disconnected(ILogger logger, string address, TimeSpan delay);

    [LoggerMessage(EventId = 1252, Level = LogLevel.Warning, Message = "{Address}: connection attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, string address, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1253, Level = LogLevel.Debug, Message = "{Address} not known to the Bluetooth stack yet (not discovered)")]
    public static partial void NotDiscovered(ILogger logger, string address);

    [LoggerMessage(EventId = 1254, Level = LogLevel.Information, Message = "{Address} paired with the stored passkey")]
    public static partial void Paired(ILogger logger, string address);

    [LoggerMessage(EventId = 1255, Level = LogLevel.Warning, Message = "{Address}: pairing failed ({Reason})")]
    public static partial void PairingFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1256, Level = LogLevel.Debug, Message = "{Address}: arming {Uuid} failed ({Reason})")]
    public static partial void ArmFailed(ILogger logger, string address, string uuid, string reason);

    [LoggerMessage(EventId = 1260, Level = LogLevel.Information, Message = "{Address}: device clock is {Offset} off the gateway's (Current Time)")]
    public static partial void ClockMeasured(ILogger logger, string address, TimeSpan offset);

    [LoggerMessage(EventId = 1261, Level = LogLevel.Information, Message = "{Address}: device clock set to the gateway's time (was {Offset} off)")]
    public static partial void ClockSet(ILogger logger, string address, TimeSpan offset);

    [LoggerMessage(EventId = 1262, Level = LogLevel.Warning, Message = "{Address}: Current Time unusable ({Reason}); device times are taken as they are")]
    public static partial void ClockFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1263, Level = LogLevel.Debug, Message = "{Address}: Temperature Type 0x2A1D read ({Site}); the site of measurements that name none")]
    public static partial void TemperatureTypeRead(ILogger logger, string address, string site);

    [LoggerMessage(EventId = 1264, Level = LogLevel.Warning, Message = "{Address}: Temperature Type 0x2A1D unusable ({Reason}); measurements without a type have no site")]
    public static partial void TemperatureTypeFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1270, Level = LogLevel.Information, Message = "{Address}: {Count} stored record(s) reported and committed; deleting them on the device")]
    public static partial void StoredRecordsCommitted(ILogger logger, string address, int count);

    [LoggerMessage(EventId = 1271, Level = LogLevel.Warning, Message = "{Address}: stored records not deleted on the device ({Reason})")]
    public static partial void StoredRecordsKept(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1272, Level = LogLevel.Debug, Message = "{Address}: RACP response {Response}")]
    public static partial void RacpResponse(ILogger logger, string address, string response);

    [LoggerMessage(EventId = 1280, Level = LogLevel.Error, Message = "{Address}: committing an indication failed; it is not acknowledged as stored")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string address);

    [LoggerMessage(EventId = 1281, Level = LogLevel.Debug, Message = "{Address}: {Uuid} value ignored ({Why})")]
    public static partial void Ignored(ILogger logger, string address, string uuid, string why);

    [LoggerMessage(EventId = 1282, Level = LogLevel.Error, Message = "{Address}: session failed unexpectedly; restarting it")]
    public static partial void SessionFailed(ILogger logger, Exception exception, string address);

    [LoggerMessage(EventId = 1283, Level = LogLevel.Information, Message = "{Address}: device information: {Manufacturer} {Model}, firmware {Firmware}, battery {Battery} %")]
    public static partial void DeviceInformationRead(ILogger logger, string address, string manufacturer, string model, string firmware, string battery);

    [LoggerMessage(EventId = 1284, Level = LogLevel.Warning, Message = "{Address}: device information partly unusable: {Problems}")]
    public static partial void DeviceInformationUnusable(ILogger logger, string address, string problems);

    [LoggerMessage(EventId = 1285, Level = LogLevel.Warning, Message = "{Address}: device information not stored ({Reason}); readings go on with what the store knew")]
    public static partial void DeviceInformationNotSaved(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1286, Level = LogLevel.Information, Message = "{Address}: paired from the pairing page")]
    public static partial void AttendedPaired(ILogger logger, string address);

    [LoggerMessage(EventId = 1287, Level = LogLevel.Warning, Message = "{Address}: the device refused the passkey ({Failures} of {Max} tries)")]
    public static partial void AttendedPairingWrongPasskey(ILogger logger, string address, int failures, int max);

    [LoggerMessage(EventId = 1288, Level = LogLevel.Warning, Message = "{Address}: device and bond removed after {Failures} refused passkeys")]
    public static partial void AttendedPairingBondRemoved(ILogger logger, string address, int failures);

    [LoggerMessage(EventId = 1289, Level = LogLevel.Warning, Message = "{Address}: pairing from the pairing page did not complete ({Outcome}): {Reason}")]
    public static partial void AttendedPairingFailed(ILogger logger, string address, string outcome, string reason);
}
