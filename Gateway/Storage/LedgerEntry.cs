namespace Vitals.Gateway.Storage;

/// <summary>A ledger row: acknowledged (with the server id when known), or sent with the outcome not yet known.</summary>
public sealed record LedgerEntry(string Key, bool Acknowledged, string? ServerId, DateTimeOffset At);
