using System.Diagnostics;
using System.Net.Sockets;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's mosquitto on a free loopback port with its own config (installed by scripts/test.sh). Optional password
/// file. Publishes with the real mosquitto_pub.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private MosquittoBroker(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <param name="tls">certificate and private key (PEM files) for a TLS listener instead of plain TCP</param>
    public static async Task<MosquittoBroker> StartAsync(string? username = null, string? password = null, (string CertFile, string KeyFile)? tls = null)
    {
        var exe = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        var dir = Path.Combine(Path.GetTempPath(), "vg-mosq-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var port = FreePort.Next();
        var conf = new List<string> { $"listener {port} 127.0.0.1", "persistence false", "max_inflight_messages 100", "max_queued_messages 100000" };
        if (tls is { } t)
        {
            conf.Add($"certfile {t.CertFile}");
            conf.Add($"keyfile {t.KeyFile}");
        }
        if (username is not null)
        {
            var pwfile = Path.Combine(dir, "passwd");
            await RunAsync("mosquitto_passwd", $"-b -c {pwfile} {username} {password}").ConfigureAwait(false);
            conf.Add("allow_anonymous false");
            conf.Add($"password_file {pwfile}");
        }
        else conf.Add("allow_anonymous true");
        var confPath = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllLinesAsync(confPath, conf).ConfigureAwait(false);

        var psi = new ProcessStartInfo(exe, $"-c {confPath}") { RedirectStandardError = true, RedirectStandardOutput = true };
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("mosquitto is not installed; scripts/test.sh installs it (apt-get install mosquitto mosquitto-clients)", ex);
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
        return new MosquittoBroker(process, dir, port) { _caFile = tls?.CertFile };
    }

    private string? _caFile;

    /// <summary>Publishes one message with mosquitto_pub at QoS 1 (MQTT 5).</summary>
    public Task PublishAsync(string topic, string payload, string? username = null, string? password = null)
    {
        var auth = (username is null ? "" : $" -u {username} -P {password}") + (_caFile is null ? "" : $" --cafile {_caFile}");
        return RunAsync("mosquitto_pub", $"-h 127.0.0.1 -p {Port} -V mqttv5 -q 1{auth} -t {topic} -m '{payload.Replace("'", "'\\''", StringComparison.Ordinal)}'");
    }

    private static async Task RunAsync(string file, string arguments)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"{file} {arguments}"]) { RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {err}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync().ConfigureAwait(false); }
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
