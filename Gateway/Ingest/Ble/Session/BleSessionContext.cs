using Microsoft.Extensions.Logging;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>What every device session shares: options, the pipeline, the passkeys, the status registry, the clock.</summary>
internal sealed record BleSessionContext(
    BleOptions Options,
    IngestPipeline Pipeline,
    IPendingPairings Pairings,
    BleDeviceRegistry Registry,
    BleMetrics Metrics,
    TimeZoneInfo Zone,
    TimeProvider Time,
    ILogger Logger);
