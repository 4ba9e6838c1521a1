using System.Globalization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The load run's progress line: on a terminal one line rewritten every second (carriage return, then erase to the
/// end of the line: ECMA-48 8.3.41 EL), otherwise a plain line every sample interval, so a log stays readable.
/// </summary>
public sealed class LoadProgress(TextWriter output, bool terminal, TimeSpan plainEvery)
{
    private TimeSpan _lastPlain = TimeSpan.Zero;
    private bool _open;

    public static string Format(TimeSpan elapsed, TimeSpan duration, long sent, long committed, long failed, double perSecond,
        LatencySummary lastSecond, double? rssMb) =>
        string.Create(CultureInfo.InvariantCulture,
            $"load {elapsed.TotalSeconds:F0}/{duration.TotalSeconds:F0} s  sent {sent}  committed {committed}  failed {failed}  {perSecond:F0}/s  ")
        + (lastSecond.Samples == 0
            ? "p50 - p99 - ms"
            : string.Create(CultureInfo.InvariantCulture, $"p50 {lastSecond.P50:F1} p99 {lastSecond.P99:F1} ms"))
        + (rssMb is { } mb ? string.Create(CultureInfo.InvariantCulture, $"  gateway RSS {mb:F0} MB") : "");

    public void Show(TimeSpan elapsed, string line)
    {
        if (terminal)
        {
            output.Write("\r" + line + "\u001b[K");
            output.Flush();
            _open = true;
        }
        else if (elapsed - _lastPlain >= plainEvery)
        {
            _lastPlain = elapsed;
            output.WriteLine(line);
        }
    }

    /// <summary>Ends the rewritten line, so what follows starts on its own line.</summary>
    public void Done()
    {
        if (_open) output.WriteLine();
        _open = false;
    }
}
