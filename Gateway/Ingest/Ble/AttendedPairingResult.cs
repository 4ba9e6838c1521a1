namespace Vitals.Gateway.Ingest.Ble;

/// <summary>The outcome of one step of an attended pairing, and how many wrong passkeys are still allowed.</summary>
public sealed record AttendedPairingResult(AttendedPairingOutcome Outcome, int TriesLeft);
