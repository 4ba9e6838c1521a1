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
    ILogger Logger)
{
    /// <summary>Where what a device says about itself is kept (null: not kept, as in unit tests of other steps).</summary>
    public IDeviceInformation? DeviceInformation { get; init; }
}
