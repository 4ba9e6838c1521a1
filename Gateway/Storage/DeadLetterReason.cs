namespace Vitals.Gateway.Storage;

/// <summary>Why the EHR refused a reading for good: kept with the dead letter, with the original request.</summary>
public sealed record DeadLetterReason(string Reason, int? HttpStatus, string? Request, string? Response);
