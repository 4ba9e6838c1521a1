namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Where a pairing a person attends (<see cref="AttendedPairing"/>) stands.</summary>
public enum AttendedPairingOutcome
{
    /// <summary>Bonded (or it was already).</summary>
    Paired,

    /// <summary>The device asked for its passkey and waits for it: ask the person.</summary>
    PasskeyNeeded,

    /// <summary>The device refused the passkey; another try is allowed.</summary>
    WrongPasskey,

    /// <summary>The passkey was refused <see cref="AttendedPairing.MaxFailures"/> times: the device and its bond were removed.</summary>
    BondRemoved,

    /// <summary>The device went out of range, was switched off or left the stack: nothing was paired.</summary>
    Unreachable,

    /// <summary>Pairing did not complete for another reason (timed out, rejected): nothing was paired.</summary>
    Failed,

    /// <summary>The stack does not know the device (not discovered, or Bluetooth is off).</summary>
    NotNearby,
}
