namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// How flat a series of resident-memory samples is: the spread (highest minus lowest, as a percentage of the lowest)
/// of the samples taken after the warm-up, when start-up (JIT, first connections) is over.
/// </summary>
public static class RssSeries
{
    /// <returns>the spread in percent, rounded to 0.1; null when no sample is past the warm-up</returns>
    public static double? SpreadPercent(IReadOnlyList<RssSample> samples, TimeSpan warmup)
    {
        var settled = samples.Where(s => s.Seconds >= warmup.TotalSeconds).Select(s => s.RssMb).ToList();
        if (settled.Count == 0 || settled.Min() <= 0) return null;
        return Math.Round((settled.Max() - settled.Min()) / settled.Min() * 100, 1);
    }
}
