using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web;

/// <summary>
/// <c>/api/status</c>: the store's counts, the totals since start, the process's memory, the Bluetooth links and the devices' slots, as
/// JSON for scripts and benchmarks. No patient data.
/// </summary>
internal static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/status", async ([FromServices] IStoreStatus store, [FromServices] GatewayMetrics metrics, [FromServices] IServiceProvider services, CancellationToken ct) =>
        {
            var status = await store.GetOutboxStatusAsync(ct);
            var gc = GC.GetGCMemoryInfo();
            var process = new
            {
                workingSetMb = Environment.WorkingSet / (1024 * 1024),
                managedHeapMb = gc.HeapSizeBytes / (1024 * 1024),
                committedMb = gc.TotalCommittedBytes / (1024 * 1024),
                threads = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            };
            // Bound Bluetooth LE devices: link state, the device clock's offset (Current Time). Empty when Ble is off.
            var ble = (services.GetService(typeof(BleDeviceRegistry)) as BleDeviceRegistry)?.Snapshot().Select(d => new
            {
                address = d.Address,
                connected = d.Connected,
                lastSeen = d.LastSeen,
                clockOffsetSeconds = d.ClockOffset?.TotalSeconds,
                lastError = d.LastError,
                reconnects = d.Reconnects,
            }).ToList();
            // One row per slot (device, user index): bound or not (never to whom) and its quarantined readings.
            var slots = (await services.GetRequiredService<IDeviceBindings>().ListDevicesAsync(null, ct)).Select(d => new
            {
                deviceId = d.DeviceId,
                user = d.User,
                bound = d.Patient is not null,
                quarantined = d.Quarantined,
            }).ToList();
            var health = services.GetService<DeliveryHealth>()?.Snapshot();
            var delivery = new { paused = health?.Paused ?? false, reason = health?.Reason, since = health?.Since };
            return Results.Json(new { outbox = status, delivery, sinceStart = metrics.Snapshot(), process, ble = ble ?? [], slots });
        });
        return app;
    }
}
