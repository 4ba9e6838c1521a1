using System.Globalization;
using System.Net;
using System.Text;

namespace Vitals.Gateway.Web;

/// <summary>One data series of a chart: its name (legend, table header) and CSS class (colour, in status.css).</summary>
internal sealed record ChartSeries(string Name, string CssClass, IReadOnlyList<double?> Values);

/// <summary>
/// Charts as server-rendered inline SVG: no script, no build step. Each is an image with a title and description for
/// assistive technology (WAI-ARIA 1.2 role "img" named by aria-labelledby; SVG 2 "title" and "desc") followed by the
/// same numbers as a table, so nothing is only visible in the picture.
/// </summary>
internal static class SvgChart
{
    private const int Width = 720, Height = 240, Left = 56, Right = 12, Top = 24, Bottom = 36;

    /// <summary>Grouped bars: one group per label, one bar per series.</summary>
    public static void Bars(StringBuilder html, string id, string title, string description, IReadOnlyList<string> labels,
        IReadOnlyList<ChartSeries> series, string unit) =>
        Render(html, id, title, description, labels, series, unit, bars: true);

    /// <summary>Lines with a dot per value; a missing value (null) breaks the line.</summary>
    public static void Lines(StringBuilder html, string id, string title, string description, IReadOnlyList<string> labels,
        IReadOnlyList<ChartSeries> series, string unit, string labelHeader = "Hour") =>
        Render(html, id, title, description, labels, series, unit, bars: false, labelHeader);

    private static void Render(StringBuilder html, string id, string title, string description, IReadOnlyList<string> labels,
        IReadOnlyList<ChartSeries> series, string unit, bool bars, string labelHeader = "Hour")
    {
        var max = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var top = NiceCeiling(max);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        var slot = plotW / Math.Max(1, labels.Count);
        double X(int i) => Left + slot * i;
        double Y(double v) => Top + plotH - (top <= 0 ? 0 : v / top * plotH);

        html.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\"><svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\">");
        html.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-t\">{E(title)}</title><desc id=\"{id}-d\">{E(description)}</desc>");
        // Grid and y axis: 0, half, top.
        foreach (var fraction in (ReadOnlySpan<double>)[0, 0.5, 1])
        {
            var y = Y(top * fraction);
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            html.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{E(Number(top * fraction))}</text>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left}\" y=\"{Top - 10}\">{E(unit)}</text>");
        // X labels: every sixth (hourly data: 4 labels a day), and the last.
        for (var i = 0; i < labels.Count; i++)
        {
            if (i % 6 != 0 && i != labels.Count - 1) continue;
            html.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{X(i) + slot / 2:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{E(labels[i])}</text>");
        }
        for (var s = 0; s < series.Count; s++)
        {
            var values = series[s].Values;
            var css = series[s].CssClass;
            if (bars)
            {
                var barW = slot * 0.8 / series.Count;
                for (var i = 0; i < values.Count; i++)
                {
                    if (values[i] is not { } v || v <= 0) continue;
                    var x = X(i) + slot * 0.1 + barW * s;
                    html.Append(CultureInfo.InvariantCulture, $"<rect class=\"{css}\" x=\"{x:0.##}\" y=\"{Y(v):0.##}\" width=\"{barW:0.##}\" height=\"{Y(0) - Y(v):0.##}\"/>");
                }
            }
            else
            {
                var path = new StringBuilder();
                var pen = false;
                for (var i = 0; i < values.Count; i++)
                {
                    if (values[i] is not { } v) { pen = false; continue; }
                    path.Append(CultureInfo.InvariantCulture, $"{(pen ? 'L' : 'M')}{X(i) + slot / 2:0.##} {Y(v):0.##} ");
                    html.Append(CultureInfo.InvariantCulture, $"<circle class=\"{css}\" cx=\"{X(i) + slot / 2:0.##}\" cy=\"{Y(v):0.##}\" r=\"2.5\"/>");
                    pen = true;
                }
                if (path.Length > 0) html.Append(CultureInfo.InvariantCulture, $"<path class=\"{css} line\" d=\"{path.ToString().TrimEnd()}\"/>");
            }
        }
        html.Append("</svg><figcaption>");
        foreach (var s in series)
            html.Append(CultureInfo.InvariantCulture, $"<span class=\"key {s.CssClass}\">{E(s.Name)}</span> ");
        html.Append("</figcaption></figure>");

        // The same numbers as a table (collapsed by default: the picture is for looking, the table for reading).
        html.Append(CultureInfo.InvariantCulture, $"<details><summary>{E(title)}: table</summary><table><caption>{E(title)} ({E(unit)})</caption><thead><tr><th scope=\"col\">{E(labelHeader)}</th>");
        foreach (var s in series) html.Append("<th scope=\"col\">").Append(E(s.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        for (var i = 0; i < labels.Count; i++)
        {
            html.Append("<tr><th scope=\"row\">").Append(E(labels[i])).Append("</th>");
            foreach (var s in series)
                html.Append("<td class=\"n\">").Append(s.Values[i] is { } v ? E(Number(v)) : "–").Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table></details>");
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="max"/> (and at least 1).</summary>
    internal static double NiceCeiling(double max)
    {
        if (max <= 1) return max <= 0 ? 1 : max <= 0.5 ? (max <= 0.1 ? 0.1 : 0.5) : 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5, 10])
            if (step * magnitude >= max) return step * magnitude;
        return 10 * magnitude;
    }

    private static string Number(double v) => v.ToString(v >= 100 || v == Math.Floor(v) ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
