using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Delivery;

/// <summary>The start-up CapabilityStatement check's events, 3300-3303.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "The EHR's CapabilityStatement advertises what Ehr:Profile {Profile} needs")]
    public static partial void CapabilitiesFit(ILogger logger, string profile);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Ehr:Profile is {Profile}, but the EHR's CapabilityStatement does not advertise {Missing}; {Advice}")]
    public static partial void CapabilityMissing(ILogger logger, string profile, string missing, string advice);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Could not read the EHR's CapabilityStatement ({Reason}); Ehr:Profile {Profile} is not checked (with Ehr:Preset auto, delivery starts once the EHR answers)")]
    public static partial void CapabilitiesUnreadable(ILogger logger, string profile, string reason);

    // The software names a product, never a patient; the changes name configuration keys and profile URLs.
    [LoggerMessage(EventId = 3303, Level = LogLevel.Information, Message = "EHR preset {Preset} ({Source}; the server is {Software}): {Changes}")]
    public static partial void PresetApplied(ILogger logger, string preset, string source, string software, string changes);
}
