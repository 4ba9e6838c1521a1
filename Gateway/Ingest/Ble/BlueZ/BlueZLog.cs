using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>BlueZ client log events, ids 1200-1239. Device addresses are not patient data; passkeys are never logged.</summary>
internal static partial class BlueZLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Connected to D-Bus {Bus}; org.bluez is {Owner}")]
    public static partial void BusConnected(ILogger logger, string bus, string owner);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "org.bluez has no owner on the bus (bluetoothd not running); waiting for it")]
    public static partial void BlueZMissing(ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "org.bluez changed owner from {Old} to {New} (bluetoothd restarted); resynchronising")]
    public static partial void OwnerChanged(ILogger logger, string old, string @new);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "BlueZ synchronised: adapter {Adapter} powered, {Devices} device(s) known")]
    public static partial void Synchronised(ILogger logger, string adapter, int devices);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "BlueZ resynchronisation failed; retrying in {Delay}")]
    public static partial void SyncFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Adapter {Adapter} not found under org.bluez")]
    public static partial void AdapterMissing(ILogger logger, string adapter);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Handling a BlueZ signal failed")]
    public static partial void SignalFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Call {Member} on {Path} timed out after {Timeout}; compensating with {Compensation}")]
    public static partial void CallTimedOut(ILogger logger, string member, string path, TimeSpan timeout, string compensation);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Agent answered {Member} for {Device}")]
    public static partial void AgentAnswered(ILogger logger, string member, string device);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Agent rejected {Member} for {Device}: {Why}")]
    public static partial void AgentRejected(ILogger logger, string member, string device, string why);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Error, Message = "Agent failed handling {Member}; replied with an error")]
    public static partial void AgentFailed(ILogger logger, Exception exception, string member);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Warning, Message = "Registering the pairing agent failed")]
    public static partial void AgentRegistrationFailed(ILogger logger, Exception exception);
}
