using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web;

/// <summary>
/// The local status page (Web:Urls, loopback by default): outbox, quarantine and rejected counts, and the latest
/// rejected messages with their reasons, so an engineer sees at a glance whether readings flow.
/// </summary>
internal static class StatusPage
{
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
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
            // Bound Bluetooth LE devices: link state, last value, the device clock's offset (Current Time). Empty when Ble is off.
            var ble = (services.GetService(typeof(BleDeviceRegistry)) as BleDeviceRegistry)?.Snapshot().Select(d => new
            {
                address = d.Address,
                connected = d.Connected,
                lastSeen = d.LastSeen,
                clockOffsetSeconds = d.ClockOffset?.TotalSeconds,
                lastError = d.LastError,
                reconnects = d.Reconnects,
            }).ToList();
            var health = (services.GetService(typeof(DeliveryHealth)) as DeliveryHealth)?.Snapshot();
            var delivery = new { paused = health?.Paused ?? false, reason = health?.Reason, since = health?.Since };
            return Results.Json(new { outbox = status, delivery, sinceStart = metrics.Snapshot(), process, ble = ble ?? [] });
        });
        app.MapGet("/", async ([FromServices] IStoreStatus store, [FromServices] IRejectedMessages rejectedMessages, [FromServices] IServiceProvider services, CancellationToken ct) =>
        {
            var s = await store.GetOutboxStatusAsync(ct);
            var ble = (services.GetService(typeof(BleDeviceRegistry)) as BleDeviceRegistry)?.Snapshot() ?? [];
            var rejected = await rejectedMessages.ListRejectedAsync(20, ct);
            var html = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vitals Gateway</title>
                <meta http-equiv="refresh" content="5">
                <style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}td,th{padding:.2rem .8rem;text-align:left}
                .n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body><h1>Vitals Gateway</h1>
                """);
            // A configuration fault (403, 404, a refused credential) pauses delivery: the first thing an engineer must see.
            if ((services.GetService(typeof(DeliveryHealth)) as DeliveryHealth)?.Snapshot() is { Paused: true } paused)
                html.Append("<p style=\"color:#a00\"><strong>Delivery paused</strong> since ")
                    .Append(WebUtility.HtmlEncode(paused.Since?.ToString("u", CultureInfo.InvariantCulture) ?? ""))
                    .Append(": ").Append(WebUtility.HtmlEncode(paused.Reason ?? "")).Append(". Readings wait in the outbox.</p>");
            html.Append("<h2>Readings</h2><table>");
            Row(html, "Waiting for the EHR", s.Pending);
            Row(html, "of which retrying", s.Retrying);
            Row(html, "Delivered", s.Delivered);
            Row(html, "Dead letters", s.DeadLetters);
            Row(html, "Quarantined (device not bound)", s.Quarantined);
            Row(html, "Rejected messages", s.Rejected);
            html.Append("</table>");
            if (ble.Count > 0)
            {
                // Addresses only: which patient a device belongs to is not shown on a page anyone on the host can open.
                html.Append("<h2>Bluetooth devices</h2><table><tr><th>Address</th><th>Link</th><th>Last seen</th><th>Clock offset</th><th>Last error</th></tr>");
                foreach (var d in ble)
                    html.Append("<tr><td>").Append(WebUtility.HtmlEncode(d.Address))
                        .Append("</td><td>").Append(d.Connected ? "connected" : "not connected")
                        .Append("</td><td>").Append(d.LastSeen is { } seen ? WebUtility.HtmlEncode(seen.ToString("u", CultureInfo.InvariantCulture)) : "never")
                        .Append("</td><td class=\"n\">").Append(d.ClockOffset is { } offset ? offset.TotalSeconds.ToString("+0;-0;0", CultureInfo.InvariantCulture) + " s" : "")
                        .Append("</td><td>").Append(WebUtility.HtmlEncode(d.LastError ?? "")).Append("</td></tr>");
                html.Append("</table>");
            }
            html.Append("<h2>Latest rejected messages</h2>");
            if (rejected.Count == 0) html.Append("<p>None.</p>");
            else
            {
                html.Append("<table><tr><th>Received</th><th>From</th><th>Reason</th></tr>");
                foreach (var r in rejected)
                    html.Append("<tr><td>").Append(WebUtility.HtmlEncode(r.ReceivedAt.ToString("u")))
                        .Append("</td><td>").Append(WebUtility.HtmlEncode(r.Origin))
                        .Append("</td><td>").Append(WebUtility.HtmlEncode(r.Reason)).Append("</td></tr>");
                html.Append("</table>");
            }
            html.Append("</body></html>");
            return Results.Content(html.ToString(), "text/html; charset=utf-8");
        });
        return app;
    }

    private static void Row(StringBuilder html, string label, long value) =>
        html.Append("<tr><th>").Append(label).Append("</th><td class=\"n\">").Append(value).Append("</td></tr>");
}
