using System.Diagnostics;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// A private D-Bus bus for one test: Debian's <c>dbus-daemon --session --nofork --print-address=1</c> (installed by
/// scripts/test.sh), so the BLE simulator can own org.bluez without a system bus or a radio. Killed on dispose.
/// </summary>
public sealed class DBusDaemon : IAsyncDisposable
{
    private readonly Process _process;

    private DBusDaemon(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The bus address clients connect to ("unix:path=/tmp/dbus-...,guid=...").</summary>
    public string Address { get; }

    public static async Task<DBusDaemon> StartAsync()
    {
        // --print-address=1 writes the address to stdout; a bare --print-address with --print-pid fails (dbus-daemon(1)).
        var psi = new ProcessStartInfo("dbus-daemon", ["--session", "--nofork", "--print-address=1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("dbus-daemon is not installed; scripts/test.sh installs it (apt-get install dbus-daemon)", ex);
        }
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(line))
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException("dbus-daemon printed no address");
        }
        return new DBusDaemon(process, line.Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
