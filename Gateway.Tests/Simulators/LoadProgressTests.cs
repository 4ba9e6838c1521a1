using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class LoadProgressTests
{
    [Fact]
    public void The_line_says_where_the_run_is()
    {
        var line = LoadProgress.Format(TimeSpan.FromSeconds(12.4), TimeSpan.FromSeconds(600), 6000, 5990, 1, 499.6,
            new LatencySummary(500, 3.14, 9, 12.26, 20), 150.4);

        Assert.Equal("load 12/600 s  sent 6000  committed 5990  failed 1  500/s  p50 3.1 p99 12.3 ms  gateway RSS 150 MB", line);
        Assert.EndsWith("p50 - p99 - ms", LoadProgress.Format(TimeSpan.Zero, TimeSpan.FromSeconds(1), 0, 0, 0, 0, new LatencySummary(0, 0, 0, 0, 0), null));
    }

    [Fact]
    public void On_a_terminal_one_line_is_rewritten_and_otherwise_plain_lines_come_every_interval()
    {
        var tty = new StringWriter();
        var onTerminal = new LoadProgress(tty, terminal: true, plainEvery: TimeSpan.FromSeconds(10));
        onTerminal.Show(TimeSpan.FromSeconds(1), "a");
        onTerminal.Show(TimeSpan.FromSeconds(2), "b");
        onTerminal.Done();
        Assert.Equal("\ra\u001b[K\rb\u001b[K" + Environment.NewLine, tty.ToString());

        var log = new StringWriter();
        var plain = new LoadProgress(log, terminal: false, plainEvery: TimeSpan.FromSeconds(10));
        foreach (var s in new[] { 1, 5, 10, 15, 20 }) plain.Show(TimeSpan.FromSeconds(s), $"at {s}");
        plain.Done();
        Assert.Equal(["at 10", "at 20"], log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
