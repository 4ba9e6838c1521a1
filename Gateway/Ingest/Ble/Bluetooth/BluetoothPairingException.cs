namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Pairing did not complete (<see cref="BluetoothDevice.PairAsync"/>); <see cref="Error"/> says why.</summary>
public sealed class BluetoothPairingException : Exception
{
    public BluetoothPairingException()
    {
    }

    public BluetoothPairingException(string message) : base(message)
    {
    }

    public BluetoothPairingException(string message, Exception inner) : base(message, inner)
    {
    }

    public BluetoothPairingException(BluetoothPairingError error, string message, Exception? inner = null) : base(message, inner) => Error = error;

    public BluetoothPairingError Error { get; } = BluetoothPairingError.Failed;
}
