namespace Vitals.Gateway.Storage;

/// <summary>An outbox entry the EHR acknowledged, with the server ids (space-separated, e.g. "Observation/12").</summary>
public sealed record DeliveredEntry(long OutboxId, string? ServerIds);
