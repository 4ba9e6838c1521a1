using Microsoft.Extensions.Configuration;
using Vitals.Devices;
using Vitals.Gateway.Ingest;

namespace Vitals.Gateway.Tests.Ingest;

public sealed class IngestOptionsTests
{
    [Fact]
    public void Defaults_follow_the_design_and_are_valid()
    {
        var options = Bind([]);

        Assert.Equal(16384, options.MaxPayloadBytes);
        Assert.Equal("", options.TimeZone);
        Assert.Equal(PlausibilityLimits.Default, options.Plausibility);
        Assert.True(options.TryGetTimeZone(out var zone));
        Assert.Equal(TimeZoneInfo.Local, zone);
        Assert.True(new IngestOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Keys_bind_under_the_Ingest_section()
    {
        var options = Bind(new()
        {
            ["Ingest:MaxPayloadBytes"] = "4096",
            ["Ingest:TimeZone"] = "America/New_York",
            ["Ingest:Plausibility:TemperatureMaxCel"] = "42.5",
            ["Ingest:Plausibility:MaxFutureSkew"] = "00:02:00",
        });

        Assert.Equal(4096, options.MaxPayloadBytes);
        Assert.True(options.TryGetTimeZone(out var zone));
        Assert.Equal("America/New_York", zone.Id);
        Assert.Equal(42.5m, options.Plausibility.TemperatureMaxCel);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Plausibility.MaxFutureSkew);
        Assert.Equal(PlausibilityLimits.Default.TemperatureMinCel, options.Plausibility.TemperatureMinCel);
        // Binding writes into the instance it finds; the shared default must stay untouched.
        Assert.Equal(45m, PlausibilityLimits.Default.TemperatureMaxCel);
    }

    [Theory]
    [InlineData("Ingest:MaxPayloadBytes", "0", "Ingest:MaxPayloadBytes must be between 128 and 1048576 (got 0)")]
    [InlineData("Ingest:MaxPayloadBytes", "2000000", "Ingest:MaxPayloadBytes must be between")]
    [InlineData("Ingest:TimeZone", "Mars/Olympus_Mons", "Ingest:TimeZone 'Mars/Olympus_Mons' is not a time zone known to this machine")]
    [InlineData("Ingest:Plausibility:TemperatureMinCel", "50", "Ingest:Plausibility:TemperatureMinCel (50) must be below Ingest:Plausibility:TemperatureMaxCel (45)")]
    [InlineData("Ingest:Plausibility:SystolicMax", "30", "Ingest:Plausibility:SystolicMin (40) must be below Ingest:Plausibility:SystolicMax (30)")]
    [InlineData("Ingest:Plausibility:DiastolicMin", "-1", "Ingest:Plausibility:DiastolicMin must not be negative")]
    [InlineData("Ingest:Plausibility:WeightMaxKg", "0.5", "Ingest:Plausibility:WeightMinKg (0.5) must be below Ingest:Plausibility:WeightMaxKg (0.5)")]
    [InlineData("Ingest:Plausibility:RespiratoryRateMin", "90", "Ingest:Plausibility:RespiratoryRateMin (90) must be below")]
    [InlineData("Ingest:Plausibility:HeartRateMin", "400", "Ingest:Plausibility:HeartRateMin (400) must be below")]
    [InlineData("Ingest:Plausibility:SpO2Max", "101", "Ingest:Plausibility:SpO2Max must be at most 100 (got 101)")]
    [InlineData("Ingest:Plausibility:MaxFutureSkew", "-00:01:00", "Ingest:Plausibility:MaxFutureSkew must not be negative")]
    [InlineData("Ingest:Plausibility:MaxPastAge", "00:00:00", "Ingest:Plausibility:MaxPastAge must be positive")]
    public void Invalid_values_are_reported_with_their_key(string key, string value, string message)
    {
        var result = new IngestOptionsValidator().Validate(null, Bind(new() { [key] = value }));

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    private static IngestOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new IngestOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(IngestOptions.SectionName).Bind(options);
        return options;
    }
}
