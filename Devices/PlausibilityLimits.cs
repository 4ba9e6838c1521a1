namespace Vitals.Devices;

/// <summary>
/// Ranges outside which a value is rejected as implausible (docs/architecture.md, "Bad input"). Units: Cel, mm[Hg], kg, /min, %.
/// Configurable through the gateway's <c>Plausibility</c> options section.
/// </summary>
public sealed record PlausibilityLimits
{
    public decimal TemperatureMinCel { get; init; } = 25m;
    public decimal TemperatureMaxCel { get; init; } = 45m;
    public decimal SystolicMin { get; init; } = 40m;
    public decimal SystolicMax { get; init; } = 300m;
    public decimal DiastolicMin { get; init; } = 20m;
    public decimal DiastolicMax { get; init; } = 200m;
    public decimal WeightMinKg { get; init; } = 0.5m;
    public decimal WeightMaxKg { get; init; } = 500m;
    public decimal RespiratoryRateMin { get; init; } = 1m;
    public decimal RespiratoryRateMax { get; init; } = 80m;
    public decimal HeartRateMin { get; init; } = 20m;
    public decimal HeartRateMax { get; init; } = 300m;
    public decimal SpO2Min { get; init; } = 50m;
    public decimal SpO2Max { get; init; } = 100m;

    /// <summary>How far in the future (by the gateway's clock) a device time may be before the reading is rejected.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How far in the past (by the gateway's clock) a device time may be before the reading is kept as rejected
    /// rather than charted: a clock reset to the device's default date must not produce an Observation.
    /// </summary>
    public TimeSpan MaxPastAge { get; init; } = TimeSpan.FromDays(365);

    public static PlausibilityLimits Default { get; } = new();
}
