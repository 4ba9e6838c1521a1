using System.Globalization;
using System.Text;

namespace Vitals.Gateway.Cli;

/// <summary>Aligned columns for the list verbs; an empty list says so instead of printing a bare header.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params object?[] cells) => _rows.Add(cells.Select(Format).ToArray());

    public void WriteTo(TextWriter output, string emptyMessage)
    {
        if (_rows.Count == 0) { output.WriteLine(emptyMessage); return; }
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells)
        {
            sb.Clear();
            for (var i = 0; i < cells.Length; i++)
                sb.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            output.WriteLine(sb.ToString().TrimEnd());
        }
        Line(headers);
        foreach (var r in _rows) Line(r);
    }

    private static string Format(object? value) => value switch
    {
        null => "-",
        DateTimeOffset t => t.ToString("yyyy-MM-dd HH:mm:ssK", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "-",
    };
}
