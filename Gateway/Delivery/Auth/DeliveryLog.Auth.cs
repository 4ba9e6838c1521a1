using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Delivery;

/// <summary>SMART Backend Services events, 3200-3204. Never the assertion, the token or the key.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Access token obtained from {TokenUrl}, valid for {LifetimeSeconds} s")]
    public static partial void TokenObtained(ILogger logger, Uri tokenUrl, long lifetimeSeconds);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "No access token for the EHR: {Reason}")]
    public static partial void TokenFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "SMART token endpoint discovered: {TokenUrl}")]
    public static partial void TokenEndpointDiscovered(ILogger logger, Uri tokenUrl);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "The EHR refused the access token (HTTP 401); a new one will be requested")]
    public static partial void TokenRefused(ILogger logger);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "SMART Backend Services as client {ClientId} with the {Key}")]
    public static partial void SmartConfigured(ILogger logger, string clientId, string key);
}
