using System.Globalization;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// A process's resident memory as Linux reports it in <c>/proc/PID/status</c> (proc(5)): <c>VmRSS</c> now and
/// <c>VmHWM</c>, the peak ("high water mark") since the process started, both in kB.
/// </summary>
public readonly record struct ProcessMemory(long RssKb, long PeakRssKb)
{
    public double RssMb => RssKb / 1024.0;
    public double PeakRssMb => PeakRssKb / 1024.0;

    /// <summary>Reads the process's status file; null when the process is gone (or this is not Linux).</summary>
    public static ProcessMemory? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The two fields from a status file's text ("VmRSS:\t  123456 kB"); null when either is missing.</summary>
    public static ProcessMemory? Parse(string status)
    {
        long? rss = null, hwm = null;
        foreach (var line in status.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var name = line[..colon];
            if (name is not ("VmRSS" or "VmHWM")) continue;
            var value = line[(colon + 1)..].Trim();
            if (value.EndsWith("kB", StringComparison.Ordinal)) value = value[..^2].TrimEnd();
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kb)) return null;
            if (name == "VmRSS") rss = kb;
            else hwm = kb;
        }
        return rss is { } r && hwm is { } h ? new ProcessMemory(r, h) : null;
    }
}
