using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Delivery;

/// <summary>The profile senders' events, 3002, 3012-3015 and 3021 (3016, a Device answered without an id, is now 3020's unexpected answer): all Debug but the one-time warning about search.</summary>
internal static partial class DeliveryLog
{
    // Debug: the device identifier is a hardware address that, with the EHR's records, points at a patient.
    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Device {DeviceIdentifier} is Device/{ServerId} on the EHR")]
    public static partial void DeviceResolved(ILogger logger, string deviceIdentifier, string serverId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Debug, Message = "Transaction of {Readings} readings refused (HTTP {Status}); sending it in halves to find the refused reading")]
    public static partial void TransactionSplit(ILogger logger, int readings, int status);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Debug, Message = "Transaction accepted (HTTP {Status}) but its response does not name all {Entries} resources; ids not recorded for the rest")]
    public static partial void TransactionIncompleteResponse(ILogger logger, int status, int entries);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Debug, Message = "A {Type} whose earlier POST had an unknown outcome was found on the EHR by its identifier; not posted again")]
    public static partial void FoundBySearch(ILogger logger, string type);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "The EHR refused a search by identifier on {Type} (HTTP {Status}): a resend after an unknown outcome is posted again and may be filed twice (Ehr:Profile single-post)")]
    public static partial void SearchUnsupported(ILogger logger, string type, int status);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Debug, Message = "Entry {Entry} of a transaction answer was refused with HTTP {Status}; outbox entry {OutboxId} follows the refused-reading rules")]
    public static partial void TransactionEntryRefused(ILogger logger, int entry, int status, long outboxId);
}
