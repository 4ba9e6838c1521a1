using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Web.Health;

namespace Vitals.Gateway.Web;

/// <summary>
/// The status page for engineers (<c>/</c>, Web:Urls, loopback by default): connectivity from the readiness checks,
/// the outbox, the devices, traffic and latency over the last 24 hours as charts, dead letters and rejected messages.
/// Server-rendered HTML with inline SVG, no script.
/// <para>
/// Nothing on it identifies a patient or quotes a measured value: no binding's patient, no reading's value, and
/// reasons with their numbers masked (<see cref="RedactedText"/>). Those belong behind a login, which this page has not.
/// </para>
/// </summary>
internal static class StatusPage
{
    private const int Hours = 24;

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        app.MapStatusStyles();
        app.MapGet("/", async ([FromServices] IServiceProvider services, CancellationToken ct) =>
            Results.Content(await RenderAsync(services, ct), "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<string> RenderAsync(IServiceProvider services, CancellationToken ct)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var zone = services.GetRequiredService<IOptions<IngestOptions>>().Value.TryGetTimeZone(out var z) ? z : TimeZoneInfo.Utc;
        var now = time.GetUtcNow();
        var health = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.Ready), ct);
        var status = await services.GetRequiredService<IStoreStatus>().GetOutboxStatusAsync(ct);
        var statistics = services.GetRequiredService<IDeliveryStatistics>();
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = new DateTimeOffset(localNow.Date, zone.GetUtcOffset(localNow.Date));
        var activity = (await statistics.GetDeviceActivityAsync(midnight, ct)).ToDictionary(a => a.DeviceId, StringComparer.Ordinal);
        var hourStart = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero).AddHours(1 - Hours);
        var hourly = await statistics.GetHourlyAsync(hourStart, Hours, ct);
        var devices = await services.GetRequiredService<IDeviceBindings>().ListDevicesAsync(null, ct);
        var ble = (services.GetService<BleDeviceRegistry>()?.Snapshot() ?? []).ToDictionary(d => d.Address, StringComparer.Ordinal);
        var described = (await services.GetRequiredService<IDeviceInformation>().ListAsync(ct)).ToDictionary(r => r.DeviceId, r => r.Information, StringComparer.Ordinal);
        var deadLetters = await services.GetRequiredService<IDeadLetters>().ListDeadLettersAsync(10, ct);
        var rejected = await services.GetRequiredService<IRejectedMessages>().ListRejectedAsync(20, ct);

        var html = new StringBuilder(32 * 1024);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vitals Gateway: status</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="30"><link rel="stylesheet" href="{StatusStyles.Path}"></head><body>
            <h1>Vitals Gateway</h1><p>As of {E(Local(now, zone))} ({E(zone.Id)}); refreshes every 30 s.</p>
            """);
        if (services.GetService<DeliveryHealth>()?.Snapshot() is { Paused: true } paused)
        {
            // A configuration fault (401 after a token refresh, 403, 404, 405): said first, since nothing flows until
            // someone fixes the EHR settings; the reason names the status and the request, never a patient.
            html.Append(CultureInfo.InvariantCulture,
                $"<p class=\"Unhealthy\" role=\"alert\">Delivery paused since {E(Local(paused.Since, zone))}: {E(paused.Reason ?? "")}. Readings wait in the outbox.</p>");
        }
        Connectivity(html, health);
        Outbox(html, status, now);
        Devices(html, devices, activity, ble, described, zone);
        Charts(html, hourly, zone);
        DeadLetters(html, deadLetters, zone);
        Rejected(html, rejected, zone);
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Connectivity(StringBuilder html, HealthReport health)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>Connectivity: <span class=\"{health.Status}\">{health.Status}</span></h2>");
        html.Append("<table><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Status</th><th scope=\"col\">Why</th></tr></thead><tbody>");
        foreach (var (name, entry) in health.Entries)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><th scope=\"row\">{E(name)}</th><td class=\"{entry.Status}\">{entry.Status}</td><td>{E(entry.Description ?? "")}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static void Outbox(StringBuilder html, OutboxStatus s, DateTimeOffset now)
    {
        html.Append("<h2>Readings</h2><table><tbody>");
        Row(html, "Waiting for the EHR", s.Pending.ToString(CultureInfo.InvariantCulture));
        Row(html, "of which retrying", s.Retrying.ToString(CultureInfo.InvariantCulture));
        Row(html, "Oldest waiting for", s.OldestPending is { } oldest ? Duration(now - oldest) : "none waiting");
        Row(html, "Delivered", s.Delivered.ToString(CultureInfo.InvariantCulture));
        Row(html, "Dead letters", s.DeadLetters.ToString(CultureInfo.InvariantCulture));
        Row(html, "Quarantined (device not bound)", s.Quarantined.ToString(CultureInfo.InvariantCulture));
        Row(html, "Rejected messages", s.Rejected.ToString(CultureInfo.InvariantCulture));
        html.Append("</tbody></table>");
    }

    private static void Devices(StringBuilder html, IReadOnlyList<DeviceSummary> devices, Dictionary<string, DeviceActivity> today,
        Dictionary<string, BleDeviceState> ble, Dictionary<string, Vitals.Devices.DeviceInformation> described, TimeZoneInfo zone)
    {
        html.Append("<h2>Devices</h2>");
        if (devices.Count == 0) { html.Append("<p>No device has sent anything yet.</p>"); return; }
        // One row per slot (device, user index). Whether a slot is bound, never to whom: the patient is not shown on a
        // page without a login. Maker and model, last seen, readings today and the link are the whole device's.
        html.Append("<table><thead><tr><th scope=\"col\">Device</th><th scope=\"col\">User</th><th scope=\"col\">Maker and model</th><th scope=\"col\">Bound</th><th scope=\"col\">Quarantined</th><th scope=\"col\">Last seen</th>")
            .Append("<th scope=\"col\">Last reading taken</th><th scope=\"col\">Readings today</th><th scope=\"col\">Bluetooth link</th><th scope=\"col\">Battery</th></tr></thead><tbody>");
        foreach (var d in devices)
        {
            var activity = today.GetValueOrDefault(d.DeviceId);
            var link = ble.GetValueOrDefault(d.DeviceId);
            var about = described.GetValueOrDefault(d.DeviceId);
            var maker = string.Join(" ", new[] { about?.Manufacturer, about?.Model }.Where(p => p is not null));
            var battery = about?.BatteryPercent is { } level ? level.ToString(CultureInfo.InvariantCulture) + " %" : "unknown";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><th scope=\"row\">{E(d.DeviceId)}</th><td>{(d.User is { } user ? user.ToString(CultureInfo.InvariantCulture) : "–")}</td>" +
                $"<td>{(maker.Length == 0 ? "–" : E(maker))}</td><td>{(d.Patient is null ? "no" : "yes")}</td><td class=\"n\">{d.Quarantined}</td><td>{E(Local(d.LastSeen ?? link?.LastSeen, zone))}</td>" +
                $"<td>{E(Local(activity?.LastTaken, zone))}</td><td class=\"n\">{activity?.Readings ?? 0}</td>" +
                $"<td>{(link is null ? "–" : link.Connected ? "connected" : "not connected")}</td><td>{battery}</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Charts(StringBuilder html, IReadOnlyList<HourlyStatistics> hourly, TimeZoneInfo zone)
    {
        var labels = hourly.Select(h => TimeZoneInfo.ConvertTime(h.Hour, zone).ToString("HH:00", CultureInfo.InvariantCulture)).ToList();
        html.Append("<h2>Last 24 hours</h2>");
        SvgChart.Bars(html, "traffic", "Readings per hour",
            $"Readings received and delivered, and messages rejected, per hour: {hourly.Sum(h => h.Received)} received, {hourly.Sum(h => h.Delivered)} delivered, {hourly.Sum(h => h.Rejected)} rejected in 24 hours.",
            labels,
            [
                new ChartSeries("Received", "received", [.. hourly.Select(h => (double?)h.Received)]),
                new ChartSeries("Delivered", "delivered", [.. hourly.Select(h => (double?)h.Delivered)]),
                new ChartSeries("Rejected", "rejected", [.. hourly.Select(h => (double?)h.Rejected)]),
            ], "readings");
        var worst = hourly.Max(h => h.LatencyP99);
        SvgChart.Lines(html, "latency", "Receipt to EHR acknowledged, percentiles per hour",
            worst is { } w ? $"Latency percentiles of the readings delivered in each hour; the worst hourly 99th percentile was {w.TotalSeconds:0.##} s." : "No reading was delivered in the last 24 hours.",
            labels,
            [
                new ChartSeries("p50", "p50", [.. hourly.Select(h => h.LatencyP50?.TotalSeconds)]),
                new ChartSeries("p95", "p95", [.. hourly.Select(h => h.LatencyP95?.TotalSeconds)]),
                new ChartSeries("p99", "p99", [.. hourly.Select(h => h.LatencyP99?.TotalSeconds)]),
            ], "seconds");
    }

    private static void DeadLetters(StringBuilder html, IReadOnlyList<DeadLetter> deadLetters, TimeZoneInfo zone)
    {
        html.Append("<h2>Latest dead letters</h2>");
        if (deadLetters.Count == 0) { html.Append("<p>None.</p>"); return; }
        html.Append("<table><thead><tr><th scope=\"col\">Failed</th><th scope=\"col\">Device</th><th scope=\"col\">HTTP</th><th scope=\"col\">Attempts</th><th scope=\"col\">Reason (numbers masked)</th></tr></thead><tbody>");
        foreach (var d in deadLetters)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(Local(d.FailedAt, zone))}</td><td>{E(d.DeviceId)}</td><td class=\"n\">{d.Why.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "–"}</td><td class=\"n\">{d.Attempts}</td><td>{E(RedactedText.WithoutNumbers(d.Why.Reason))}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static void Rejected(StringBuilder html, IReadOnlyList<RejectedMessage> rejected, TimeZoneInfo zone)
    {
        html.Append("<h2>Latest rejected messages</h2>");
        if (rejected.Count == 0) { html.Append("<p>None.</p>"); return; }
        html.Append("<table><thead><tr><th scope=\"col\">Received</th><th scope=\"col\">From</th><th scope=\"col\">Reason (numbers masked)</th></tr></thead><tbody>");
        foreach (var r in rejected)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(Local(r.ReceivedAt, zone))}</td><td>{E(r.Origin)}</td><td>{E(RedactedText.WithoutNumbers(r.Reason))}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append("<tr><th scope=\"row\">").Append(E(label)).Append("</th><td class=\"n\">").Append(E(value)).Append("</td></tr>");

    private static string Local(DateTimeOffset? at, TimeZoneInfo zone) =>
        at is { } a ? TimeZoneInfo.ConvertTime(a, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "never";

    private static string Duration(TimeSpan span) =>
        span < TimeSpan.FromMinutes(1) ? $"{Math.Max(0, span.TotalSeconds):0} s"
        : span < TimeSpan.FromHours(1) ? $"{span.TotalMinutes:0} min"
        : span < TimeSpan.FromDays(2) ? $"{span.TotalHours:0.#} h"
        : $"{span.TotalDays:0.#} days";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
