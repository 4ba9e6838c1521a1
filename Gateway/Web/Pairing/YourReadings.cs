using System.Globalization;
using System.Text;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// "Your readings" on the devices page: per slot of the patient's, the last 14 days as a chart and in plain words,
/// each with its way to the EHR. The list is the one <see cref="ReadingsStream"/> keeps up to date without a reload.
/// </summary>
internal static class YourReadings
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(14);
    public const int MaxPerSlot = 200;

    public static async Task AppendAsync(StringBuilder html, PatientId patient, IReadOnlyList<DeviceSummary> slots,
        IPatientReadings readings, TimeProvider time, CancellationToken ct)
    {
        if (slots.Count == 0) return;
        var zone = time.LocalTimeZone;
        var since = time.GetUtcNow() - Window;
        html.Append(CultureInfo.InvariantCulture, $"""
            <h2 id="readings">Your readings</h2>
            <p class="hint" id="take-a-reading">Take a reading now, as usual. It appears here by itself, and says when it was sent to your care team.</p>
            <form method="get" action="{DevicesPage.Path}"><button type="submit" class="secondary">Check again</button></form>
            """);
        for (var i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            var list = await readings.ListPatientReadingsAsync(patient, slot.DeviceId, slot.User, since, MaxPerSlot, ct).ConfigureAwait(false);
            var name = slot.DeviceId + (slot.User is { } u ? string.Create(CultureInfo.InvariantCulture, $" (user {u})") : "");
            html.Append(CultureInfo.InvariantCulture, $"<section aria-labelledby=\"slot-{i}\"><h3 id=\"slot-{i}\">From {E(name)}, the last 14 days</h3>");
            if (list.Count > 0) Chart(html, i, name, list, zone);
            html.Append(CultureInfo.InvariantCulture, $"<ul class=\"readings\" id=\"{ReadingWords.ListId(slot.DeviceId, slot.User)}\" aria-live=\"polite\" data-stream=\"{ReadingsStream.Path}\">");
            if (list.Count == 0) html.Append("<li class=\"none\">No readings yet.</li>");
            foreach (var r in list)
                html.Append(CultureInfo.InvariantCulture, $"<li id=\"reading-{r.ReadingId}\">{E(ReadingWords.Describe(r, zone))}</li>");
            html.Append("</ul></section>");
        }
    }

    private static void Chart(StringBuilder html, int index, string name, IReadOnlyList<PatientReading> newestFirst, TimeZoneInfo zone)
    {
        // One kind per chart (a device may send more than one): the kind of the newest reading.
        var kind = newestFirst[0].Reading.Kind;
        var points = newestFirst.Where(p => p.Reading.Kind == kind).Reverse().ToList();
        var labels = points.Select(p => TimeZoneInfo.ConvertTime(p.Reading.EffectiveTime, zone).ToString("d MMM HH:mm", CultureInfo.InvariantCulture)).ToList();
        var first = points[0].Reading;
        var pressure = first.Kind == VitalKind.BloodPressure;
        List<ChartSeries> series = pressure
            ? [new("Upper (systolic)", "value", points.Select(p => ReadingWords.Plotted(p.Reading)).ToList()),
               new("Lower (diastolic)", "lower", points.Select(p => ReadingWords.Lower(p.Reading)).ToList())]
            : [new(ReadingWords.Value(first).Split(' ')[0], "value", points.Select(p => ReadingWords.Plotted(p.Reading)).ToList())];
        var unit = ReadingWords.Unit((pressure ? first.Systolic : first.Value)?.Unit ?? "");
        SvgChart.Lines(html, $"chart-{index}", $"Your readings from {name}",
            $"{points.Count} readings over the last 14 days, oldest on the left; each is listed in words below.", labels, series, unit, "Taken");
    }
}
