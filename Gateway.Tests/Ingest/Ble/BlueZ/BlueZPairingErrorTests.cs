using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Ble.BlueZ;

namespace Vitals.Gateway.Tests.Ingest.Ble.BlueZ;

public sealed class BlueZPairingErrorTests
{
    [Theory]
    [InlineData("org.bluez.Error.AuthenticationFailed", BluetoothPairingError.WrongPasskey)]
    [InlineData("org.bluez.Error.ConnectionAttemptFailed", BluetoothPairingError.Unreachable)]
    [InlineData("org.bluez.Error.AuthenticationCanceled", BluetoothPairingError.Unreachable)]
    [InlineData("org.bluez.Error.Failed", BluetoothPairingError.Unreachable)]
    [InlineData("org.bluez.Error.DoesNotExist", BluetoothPairingError.Unreachable)]
    [InlineData("org.freedesktop.DBus.Error.UnknownObject", BluetoothPairingError.Unreachable)]
    [InlineData("org.bluez.Error.AuthenticationRejected", BluetoothPairingError.Failed)]
    [InlineData("org.bluez.Error.AuthenticationTimeout", BluetoothPairingError.Failed)]
    public void BlueZ_pair_errors_map_to_what_the_pairing_page_says(string error, BluetoothPairingError expected) =>
        Assert.Equal(expected, BlueZDevice.PairingError(error));
}
