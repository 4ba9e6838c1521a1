namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Why pairing failed, in terms a caller can act on (the stack's own error names stay below the abstraction).</summary>
public enum BluetoothPairingError
{
    /// <summary>The device refused the passkey (BlueZ org.bluez.Error.AuthenticationFailed).</summary>
    WrongPasskey,

    /// <summary>The device could not be reached: out of range, switched off, or gone from the stack.</summary>
    Unreachable,

    /// <summary>Pairing was rejected, cancelled or timed out, or failed for another reason.</summary>
    Failed,
}
