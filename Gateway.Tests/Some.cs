namespace Vitals.Gateway.Tests;

/// <summary>Test data builders, one partial file per area (Some.Fhir.cs, Some.Storage.cs, ...).</summary>
internal static partial class Some
{
    /// <summary>A fixed instant: 2026-11-25 08:30 in Berlin (+01:00).</summary>
    public static DateTimeOffset MeasuredAt { get; } = new(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1));
}
