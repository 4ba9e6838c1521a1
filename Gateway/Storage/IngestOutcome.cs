namespace Vitals.Gateway.Storage;

/// <summary>What the commit did with one <see cref="IngestRecord"/>.</summary>
public enum IngestOutcome { Queued, Quarantined, Duplicate, Rejected }
