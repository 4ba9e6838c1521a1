namespace Vitals.Simulators.BleSimulator.DBus;

/// <summary>The error names BlueZ 5.66 replies with (src/error.c), spelled exactly as a client matches them.</summary>
internal static class BluezErrors
{
    public const string Failed = "org.bluez.Error.Failed";
    public const string InProgress = "org.bluez.Error.InProgress";
    public const string AlreadyConnected = "org.bluez.Error.AlreadyConnected";
    public const string AlreadyExists = "org.bluez.Error.AlreadyExists";
    public const string NotConnected = "org.bluez.Error.NotConnected";
    public const string NotReady = "org.bluez.Error.NotReady";
    public const string AuthenticationFailed = "org.bluez.Error.AuthenticationFailed";
    public const string AuthenticationCanceled = "org.bluez.Error.AuthenticationCanceled";
    public const string AuthenticationRejected = "org.bluez.Error.AuthenticationRejected";
    public const string AuthenticationTimeout = "org.bluez.Error.AuthenticationTimeout";
    public const string ConnectionAttemptFailed = "org.bluez.Error.ConnectionAttemptFailed";
    public const string DoesNotExist = "org.bluez.Error.DoesNotExist";
    public const string InvalidArguments = "org.bluez.Error.InvalidArguments";
    public const string NotPermitted = "org.bluez.Error.NotPermitted";
    public const string NotSupported = "org.bluez.Error.NotSupported";
    public const string NotAvailable = "org.bluez.Error.NotAvailable";

    /// <summary>What an agent replies to refuse (bluez doc/agent-api.txt).</summary>
    public const string AgentRejected = "org.bluez.Error.Rejected";
    public const string AgentCanceled = "org.bluez.Error.Canceled";

    public const string UnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty";
    public const string UnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface";
    public const string UnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string PropertyReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly";
    public const string DBusInvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
}
