using Microsoft.Extensions.Logging;

namespace Vitals.Simulators.BleSimulator;

/// <summary>The simulator's log lines (stderr). Measured values only at Debug.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "bluetoothd up: {UniqueName} owns org.bluez on {Bus}")]
    public static partial void BusUp(ILogger logger, string uniqueName, string bus);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "bluetoothd restarting: org.bluez released, all links down")]
    public static partial void Restarting(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "method {Member} failed")]
    public static partial void MethodFailed(ILogger logger, string member, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "reply to {Member} not delivered")]
    public static partial void ReplyFailed(ILogger logger, string member, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "signal dropped: connection closed")]
    public static partial void SignalDropped(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Address}: reading of {TakenAt:O} on 0x{Uuid} LOST: indicated while BlueZ had no notify session (BlueZ confirmed it itself)")]
    public static partial void ReadingLost(ILogger logger, string address, DateTimeOffset takenAt, string uuid);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Address}: {Event}")]
    public static partial void DeviceEvent(ILogger logger, string address, string @event);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "client {Sender} left the bus: {Sessions} notify session(s) dropped")]
    public static partial void ClientGone(ILogger logger, string sender, int sessions);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "{Address}: reading {Kind} taken at {TakenAt:O}: {Hex} ({Delivered})")]
    public static partial void ReadingTaken(ILogger logger, string address, string kind, DateTimeOffset takenAt, string hex, string delivered);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "simulator tick failed")]
    public static partial void TickFailed(ILogger logger, Exception exception);
}
