using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Ble;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// "Devices near the gateway" on the devices page: the health devices Bluetooth discovery sees, each a link that
/// fills the add form with its address (<c>?address=</c>, so it works without script too). Server-rendered on load,
/// then kept current by server-sent events (HTML Living Standard 9.2) from <see cref="NearbyDevices"/>, polled once a
/// second like <see cref="ReadingsStream"/>, for <see cref="ReadingsStream.Lifetime"/>.
/// </summary>
internal static class NearbyList
{
    public const string Path = DevicesPage.Path + "/nearby";

    private const string NoneYet = "No health device found yet. Devices appear here as the gateway finds them.";

    // Part of /pair.js (ReadingsStream serves it): no inline script under the pages' Content-Security-Policy.
    public const string Script = $$"""
        // Nearby health devices: tapping one fills the add form; new ones appear without a reload (server-sent events).
        (function () {
          'use strict';
          var list = document.getElementById('nearby');
          var address = document.getElementById('address');
          if (!list || !address) return;
          list.addEventListener('click', function (e) {
            var link = e.target.closest('a[data-address]');
            if (!link) return;
            e.preventDefault();
            address.value = link.getAttribute('data-address');
            var picked = document.getElementById('picked');
            if (picked) picked.textContent = 'You chose: ' + link.textContent + '. Now choose your user button and press "Add this device".';
            document.getElementById('add').scrollIntoView();
            var button = document.querySelector('input[name=user]:checked') || document.querySelector('input[name=user]');
            if (button) button.focus();
          });
          if (!window.EventSource || !list.hasAttribute('data-stream')) return;
          var source = new EventSource(list.getAttribute('data-stream'));
          source.addEventListener('nearby', function (e) {
            var d = JSON.parse(e.data);
            var item = document.getElementById(d.id);
            if (!item) {
              item = document.createElement('li');
              item.id = d.id;
              var link = document.createElement('a');
              link.className = 'button secondary';
              link.setAttribute('data-address', d.address);
              link.href = '?address=' + encodeURIComponent(d.address) + '#add';
              item.appendChild(link);
              list.appendChild(item);
              var none = list.querySelector('li.none');
              if (none) none.remove();
            }
            var a = item.querySelector('a');
            if (a.textContent !== d.text) a.textContent = d.text;
          });
          // A device the gateway no longer hears (switched off, taken away) leaves the list.
          function gone(id) {
            var item = document.getElementById(id);
            if (item && item.parentNode === list) item.remove();
            if (!list.querySelector('li')) {
              var none = document.createElement('li');
              none.className = 'none';
              none.textContent = '{{NoneYet}}';
              list.appendChild(none);
            }
          }
          source.addEventListener('gone', function (e) { gone(e.data); });
          // The stream's first event lists the devices heard now: one on the page since it loaded may have gone since.
          source.addEventListener('present', function (e) {
            var ids = e.data ? e.data.split(' ') : [];
            Array.prototype.slice.call(list.querySelectorAll('li[id]')).forEach(function (item) {
              if (ids.indexOf(item.id) < 0) gone(item.id);
            });
          });
          source.addEventListener('end', function () { source.close(); });
        })();
        """;

    public static IEndpointRouteBuilder MapNearbyList(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, StreamAsync);
        return app;
    }

    /// <summary>Whether the page shows the list: only when the gateway has Bluetooth (Ble:Enabled).</summary>
    public static bool Shown(HttpContext context) =>
        context.RequestServices.GetService(typeof(IOptions<BleOptions>)) is IOptions<BleOptions> { Value.Enabled: true };

    public static void Append(StringBuilder html, NearbyDevices nearby)
    {
        html.Append(CultureInfo.InvariantCulture, $"""
            <h2 id="nearby-heading">Devices near the gateway</h2>
            <p class="hint">Switch your device on and keep it close to the gateway. Tap yours to add it.</p>
            <ul class="devices" id="nearby" aria-labelledby="nearby-heading" data-stream="{Path}">
            """);
        var devices = nearby.Snapshot();
        if (devices.Count == 0)
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"none\">{NoneYet}</li>");
        foreach (var d in devices)
            html.Append(CultureInfo.InvariantCulture, $"""<li id="{NearbyWords.ElementId(d.Address)}"><a class="button secondary" href="{DevicesPage.Path}?address={Uri.EscapeDataString(d.Address)}#add" data-address="{E(d.Address)}">{E(NearbyWords.Describe(d))}</a></li>""");
        html.Append("</ul>");
    }

    private static async Task StreamAsync(HttpContext context, PairingSessions sessions, NearbyDevices nearby, TimeProvider time)
    {
        if (sessions.Get(context) is not { Confirmed: true })
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var ct = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var sent = new Dictionary<string, string>(StringComparer.Ordinal);
        var end = time.GetUtcNow() + ReadingsStream.Lifetime;
        var present = string.Join(' ', nearby.Snapshot().Select(d => NearbyWords.ElementId(d.Address)));
        await response.WriteAsync($"retry: 3000\n\nevent: present\ndata: {present}\n\n", ct).ConfigureAwait(false);
        try
        {
            while (time.GetUtcNow() < end && sessions.Get(context) is { Confirmed: true })
            {
                var text = new StringBuilder();
                var devices = nearby.Snapshot();
                foreach (var address in sent.Keys.Where(a => !devices.Any(d => d.Address == a)).ToList())
                {
                    sent.Remove(address);
                    text.Append("event: gone\ndata: ").Append(NearbyWords.ElementId(address)).Append("\n\n");
                }
                foreach (var d in devices)
                {
                    var line = NearbyWords.Describe(d);
                    if (sent.TryGetValue(d.Address, out var before) && before == line) continue;
                    sent[d.Address] = line;
                    text.Append("event: nearby\ndata: ")
                        .Append(JsonSerializer.Serialize(new StreamedNearby(NearbyWords.ElementId(d.Address), d.Address, line), StreamJsonContext.Default.StreamedNearby))
                        .Append("\n\n");
                }
                text.Append(": keep-alive\n\n");
                await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
                await Task.Delay(ReadingsStream.PollInterval, time, ct).ConfigureAwait(false);
            }
            await response.WriteAsync("event: end\ndata: \n\n", ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page was closed or left.
        }
    }
}
