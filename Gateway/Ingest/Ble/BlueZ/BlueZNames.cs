namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>The D-Bus names of BlueZ 5.66's API (bluez.md) and of the bus itself.</summary>
internal static class BlueZNames
{
    public const string Service = "org.bluez";
    public const string Adapter1 = "org.bluez.Adapter1";
    public const string Device1 = "org.bluez.Device1";
    public const string GattService1 = "org.bluez.GattService1";
    public const string Battery1 = "org.bluez.Battery1";
    public const string GattCharacteristic1 = "org.bluez.GattCharacteristic1";
    public const string AgentManager1 = "org.bluez.AgentManager1";
    public const string Agent1 = "org.bluez.Agent1";
    public const string AgentManagerPath = "/org/bluez";
    public const string RootPath = "/org/bluez";

    public const string ObjectManager = "org.freedesktop.DBus.ObjectManager";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";
    public const string Bus = "org.freedesktop.DBus";
    public const string BusPath = "/org/freedesktop/DBus";

    public const string ErrorRejected = "org.bluez.Error.Rejected";
    public const string ErrorCanceled = "org.bluez.Error.Canceled";
    public const string ErrorAlreadyExists = "org.bluez.Error.AlreadyExists";
    public const string ErrorAlreadyConnected = "org.bluez.Error.AlreadyConnected";
    public const string ErrorInProgress = "org.bluez.Error.InProgress";
    public const string ErrorDoesNotExist = "org.bluez.Error.DoesNotExist";
    public const string ErrorAuthenticationFailed = "org.bluez.Error.AuthenticationFailed";
    public const string ErrorAuthenticationCanceled = "org.bluez.Error.AuthenticationCanceled";
    public const string ErrorConnectionAttemptFailed = "org.bluez.Error.ConnectionAttemptFailed";
    public const string ErrorFailed = "org.bluez.Error.Failed";
    public const string ErrorNotReady = "org.bluez.Error.NotReady";
    public const string ErrorUnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string ErrorNameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";

    /// <summary>The device object path for an address: <c>/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF</c>.</summary>
    public static string DevicePath(string adapterPath, string address) => adapterPath + "/dev_" + address.Replace(':', '_');
}
