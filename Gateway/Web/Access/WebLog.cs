using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Web.Access;

/// <summary>Events of the web pages (docs/logging.md, 4100-4149). No patient identifier or measured value above Debug.</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Admin login from {Remote}")]
    public static partial void LoginSucceeded(ILogger logger, string remote);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Failed admin login from {Remote}")]
    public static partial void LoginFailed(ILogger logger, string remote);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Form post to {Path} from {Remote} refused: missing or invalid anti-forgery token")]
    public static partial void CsrfRefused(ILogger logger, string path, string remote);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Web pages need a login: Web:Urls {Urls} listens beyond loopback")]
    public static partial void LoginRequired(ILogger logger, string urls);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "An enrolment code was confirmed on the pairing page")]
    public static partial void EnrolmentCodeRedeemed(ILogger logger);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "An enrolment code was refused on the pairing page: {Reason}")]
    public static partial void EnrolmentCodeRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "The pairing page could not confirm a patient with the EHR: {Reason}")]
    public static partial void PatientLookupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Debug, Message = "Pairing session for {Patient} started")]
    public static partial void PairingSessionStarted(ILogger logger, string patient);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information, Message = "Device {DeviceId} bound on the pairing page (user {UserIndex})")]
    public static partial void DeviceBound(ILogger logger, string deviceId, string userIndex);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Warning, Message = "Pairing page: binding device {DeviceId} refused: {Reason}")]
    public static partial void BindRefused(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Information, Message = "Device {DeviceId} unpaired on the pairing page")]
    public static partial void DeviceUnbound(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 4130, Level = LogLevel.Information, Message = "Pairing page: device {DeviceId} asks for its passkey")]
    public static partial void PasskeyAsked(ILogger logger, string deviceId);
}
