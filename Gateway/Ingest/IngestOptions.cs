using System.Diagnostics.CodeAnalysis;
using Vitals.Devices;

namespace Vitals.Gateway.Ingest;

/// <summary>
/// The <c>Ingest</c> configuration section: how incoming messages are decoded. Validated at start-up by
/// <see cref="IngestOptionsValidator"/>.
/// </summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>README "MQTT contract": a payload is at most 16 KiB.</summary>
    public const int DefaultMaxPayloadBytes = 16 * 1024;

    /// <summary><c>Ingest:MaxPayloadBytes</c>: larger payloads are rejected before they are parsed.</summary>
    public int MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;

    /// <summary>
    /// <c>Ingest:TimeZone</c>: the IANA zone (<c>Europe/Berlin</c>) in which device times without an offset are read;
    /// empty means the machine's local zone.
    /// </summary>
    public string TimeZone { get; set; } = "";

    /// <summary>
    /// <c>Ingest:Plausibility:*</c>, e.g. <c>Ingest:Plausibility:TemperatureMaxCel</c>. A fresh instance, never
    /// <see cref="PlausibilityLimits.Default"/>: the configuration binder writes into the instance it finds.
    /// </summary>
    public PlausibilityLimits Plausibility { get; set; } = new();

    /// <summary>
    /// <c>Ingest:QueueCapacity</c>: messages decoded and waiting for their commit. When the store falls behind, sources
    /// wait (MQTT back-pressure) instead of the gateway's memory growing without limit.
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// <c>Ingest:MaxBatch</c>: at most this many messages share one store transaction (group commit). A fleet's batch
    /// inserts into each device's part of the indexes; with more readings than devices in a batch, those pages are
    /// written once for several readings (2,000 against 500: about 15 % more readings per second through the store,
    /// docs/performance.md). Batches are only this large when the store is the limit; a quiet gateway commits each
    /// message as it comes.
    /// </summary>
    public int MaxBatch { get; set; } = 2000;

    /// <summary>Resolves <see cref="TimeZone"/>; false when the id names no zone on this machine.</summary>
    public bool TryGetTimeZone([NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        if (string.IsNullOrWhiteSpace(TimeZone))
        {
            zone = TimeZoneInfo.Local;
            return true;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone.Trim(), out zone);
    }
}
