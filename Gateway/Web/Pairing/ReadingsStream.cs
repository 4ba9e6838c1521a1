using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// The patient's new readings and their way to the EHR as server-sent events (HTML Living Standard 9.2,
/// <c>text/event-stream</c>), for the devices page's script: only the confirmed session's patient's slots. The server
/// looks at the store once a second and sends a reading's line when it is new or its state changed; after
/// <see cref="Lifetime"/> it says "end" and closes (the page's "Check again" link still works), so an open tab costs
/// little for long.
/// </summary>
internal static class ReadingsStream
{
    public const string Path = DevicesPage.Path + "/readings";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    public const string ScriptPath = PageLayout.ScriptPath;

    // Served as a file of its own: the pages' Content-Security-Policy allows script from the gateway only, never inline.
    private const string Script = """
        // New readings and their delivery on the devices page, without a reload (server-sent events).
        (function () {
          'use strict';
          var first = document.querySelector('ul.readings[data-stream]');
          if (!first || !window.EventSource) return;
          var source = new EventSource(first.getAttribute('data-stream'));
          source.addEventListener('reading', function (e) {
            var r = JSON.parse(e.data);
            var list = document.getElementById(r.list);
            if (!list) return;
            var item = document.getElementById(r.id);
            if (!item) {
              item = document.createElement('li');
              item.id = r.id;
              list.insertBefore(item, list.firstChild);
              var none = list.querySelector('li.none');
              if (none) none.remove();
            }
            if (item.textContent !== r.text) item.textContent = r.text;
          });
          source.addEventListener('end', function () { source.close(); });
        })();
        """;

    public static IEndpointRouteBuilder MapReadingsStream(this IEndpointRouteBuilder app)
    {
        app.MapGet(ScriptPath, () => Results.Text(Script + NearbyList.Script, "text/javascript; charset=utf-8"));
        app.MapGet(Path, StreamAsync);
        return app;
    }

    private static async Task StreamAsync(HttpContext context, PairingSessions sessions, PairingRegistry registry,
        IPatientReadings readings, TimeProvider time)
    {
        if (sessions.Get(context) is not { Confirmed: true } session)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var ct = context.RequestAborted;
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var zone = time.LocalTimeZone;
        var sent = new Dictionary<long, string>();
        var end = time.GetUtcNow() + Lifetime;
        // A reconnecting browser waits 3 s (the "retry" field), not hammering a gateway that restarts.
        await response.WriteAsync("retry: 3000\n\n", ct).ConfigureAwait(false);
        try
        {
            while (time.GetUtcNow() < end && sessions.Get(context) is { Confirmed: true })
            {
                var since = time.GetUtcNow() - YourReadings.Window;
                var text = new StringBuilder();
                foreach (var slot in await registry.ListAsync(session.Patient, ct).ConfigureAwait(false))
                {
                    var list = ReadingWords.ListId(slot.DeviceId, slot.User);
                    foreach (var r in await readings.ListPatientReadingsAsync(session.Patient, slot.DeviceId, slot.User, since, YourReadings.MaxPerSlot, ct).ConfigureAwait(false))
                    {
                        var line = ReadingWords.Describe(r, zone);
                        if (sent.TryGetValue(r.ReadingId, out var before) && before == line) continue;
                        sent[r.ReadingId] = line;
                        // Oldest first within the batch: the script puts each new one on top of its list.
                        text.Insert(0, "event: reading\ndata: " + JsonSerializer.Serialize(new StreamedReading(list, $"reading-{r.ReadingId}", line), StreamJsonContext.Default.StreamedReading) + "\n\n");
                    }
                }
                text.Append(": keep-alive\n\n");
                await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
                await Task.Delay(PollInterval, time, ct).ConfigureAwait(false);
            }
            await response.WriteAsync("event: end\ndata: \n\n", ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page was closed or left: nothing to finish.
        }
    }
}
