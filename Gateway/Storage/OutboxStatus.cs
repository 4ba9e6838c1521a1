namespace Vitals.Gateway.Storage;

/// <summary>The store's counts at one instant (one snapshot: the numbers agree with each other).</summary>
public sealed record OutboxStatus(long Pending, long Due, long Retrying, long Delivered, long DeadLetters, long Quarantined, long Rejected, DateTimeOffset? OldestPending);
