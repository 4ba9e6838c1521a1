using System.Globalization;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest;

/// <summary>Checks <see cref="IngestOptions"/> at start-up; each failure names its configuration key (README "Configuration").</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    /// <summary>A vital-signs payload is a few hundred bytes; the bounds only catch typos (16 instead of 16384).</summary>
    public const int MinPayloadBytes = 128;
    public const int MaxPayloadBytes = 1024 * 1024;

    private const string Section = IngestOptions.SectionName;
    private const string Limits = Section + ":" + nameof(IngestOptions.Plausibility) + ":";

    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var failures = new List<string>();
        if (options.MaxPayloadBytes is < MinPayloadBytes or > MaxPayloadBytes)
        {
            failures.Add(Invariant($"{Section}:{nameof(IngestOptions.MaxPayloadBytes)} must be between {MinPayloadBytes} and {MaxPayloadBytes} (got {options.MaxPayloadBytes})"));
        }
        if (!options.TryGetTimeZone(out _))
        {
            failures.Add($"{Section}:{nameof(IngestOptions.TimeZone)} '{options.TimeZone}' is not a time zone known to this machine (use an IANA id such as Europe/Berlin, or leave it empty for the local zone)");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add(Invariant($"{Section}:{nameof(IngestOptions.QueueCapacity)} must be at least 1 (got {options.QueueCapacity})"));
        }
        if (options.MaxBatch < 1)
        {
            failures.Add(Invariant($"{Section}:{nameof(IngestOptions.MaxBatch)} must be at least 1 (got {options.MaxBatch})"));
        }

        var p = options.Plausibility;
        CheckRange(failures, nameof(p.TemperatureMinCel), p.TemperatureMinCel, nameof(p.TemperatureMaxCel), p.TemperatureMaxCel);
        CheckRange(failures, nameof(p.SystolicMin), p.SystolicMin, nameof(p.SystolicMax), p.SystolicMax);
        CheckRange(failures, nameof(p.DiastolicMin), p.DiastolicMin, nameof(p.DiastolicMax), p.DiastolicMax);
        CheckRange(failures, nameof(p.WeightMinKg), p.WeightMinKg, nameof(p.WeightMaxKg), p.WeightMaxKg);
        CheckRange(failures, nameof(p.RespiratoryRateMin), p.RespiratoryRateMin, nameof(p.RespiratoryRateMax), p.RespiratoryRateMax);
        CheckRange(failures, nameof(p.HeartRateMin), p.HeartRateMin, nameof(p.HeartRateMax), p.HeartRateMax);
        CheckRange(failures, nameof(p.SpO2Min), p.SpO2Min, nameof(p.SpO2Max), p.SpO2Max);
        if (p.SpO2Max > 100m)
        {
            failures.Add(Invariant($"{Limits}{nameof(p.SpO2Max)} must be at most 100 (got {p.SpO2Max})"));
        }
        if (p.MaxFutureSkew < TimeSpan.Zero)
        {
            failures.Add(Invariant($"{Limits}{nameof(p.MaxFutureSkew)} must not be negative (got {p.MaxFutureSkew})"));
        }
        if (p.MaxPastAge <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"{Limits}{nameof(p.MaxPastAge)} must be positive, e.g. 365.00:00:00 (got {p.MaxPastAge})"));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string minKey, decimal min, string maxKey, decimal max)
    {
        if (min < 0m)
        {
            failures.Add(Invariant($"{Limits}{minKey} must not be negative (got {min})"));
        }
        if (min >= max)
        {
            failures.Add(Invariant($"{Limits}{minKey} ({min}) must be below {Limits}{maxKey} ({max})"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
