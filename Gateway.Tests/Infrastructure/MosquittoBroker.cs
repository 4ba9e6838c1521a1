using System.Diagnostics;
using System.Net.Sockets;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's mosquitto on a free loopback port with its own config (installed by scripts/test.sh). Optional password
/// file, or any further mosquitto.conf lines (password_file, acl_file, persistence). Publishes with the real
/// mosquitto_pub.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private Process _process;
    private readonly string _dir;
    private readonly string _confPath;

    private MosquittoBroker(Process process, string dir, string confPath, int port)
    {
        _process = process;
        _dir = dir;
        _confPath = confPath;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The broker's own folder (its config; a place for its password, ACL and persistence files).</summary>
    public string Directory => _dir;

    /// <summary>A new folder for a broker's files, for files that must exist before <see cref="StartAsync"/>.</summary>
    public static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vg-mosq-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    /// <param name="tls">certificate and private key (PEM files) for a TLS listener instead of plain TCP</param>
    /// <param name="config">further mosquitto.conf lines; one of them "persistence true" replaces "persistence false"</param>
    /// <param name="directory">the folder from <see cref="NewDirectory"/>; a new one by default</param>
    public static async Task<MosquittoBroker> StartAsync(
        string? username = null, string? password = null, (string CertFile, string KeyFile)? tls = null,
        IReadOnlyList<string>? config = null, string? directory = null)
    {
        var dir = directory ?? NewDirectory();
        var port = FreePort.Next();
        var conf = new List<string> { $"listener {port} 127.0.0.1", "max_inflight_messages 100", "max_queued_messages 100000" };
        if (config is null || !config.Any(l => l.StartsWith("persistence ", StringComparison.Ordinal))) conf.Add("persistence false");
        if (config is not null) conf.AddRange(config);
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
        else if (config is null || !config.Any(l => l.StartsWith("allow_anonymous ", StringComparison.Ordinal))) conf.Add("allow_anonymous true");
        var confPath = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllLinesAsync(confPath, conf).ConfigureAwait(false);
        var process = await LaunchAsync(confPath, port).ConfigureAwait(false);
        return new MosquittoBroker(process, dir, confPath, port) { _caFile = tls?.CertFile };
    }

    /// <summary>
    /// Stops mosquitto with SIGTERM (it writes its persistence file on the way out) and starts it again on the same
    /// port and config: a broker restart as an operator's would be.
    /// </summary>
    public async Task RestartAsync()
    {
        await StopGracefullyAsync().ConfigureAwait(false);
        _process.Dispose();
        _process = await LaunchAsync(_confPath, Port).ConfigureAwait(false);
    }

    /// <summary>SIGTERM to this broker's own process, then waits for it to exit.</summary>
    public async Task StopGracefullyAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!)
            await kill.WaitForExitAsync().ConfigureAwait(false);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>Sends SIGHUP: mosquitto reloads its password and ACL files (mosquitto(8), "Signals").</summary>
    public async Task ReloadAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    private static async Task<Process> LaunchAsync(string confPath, int port)
    {
        var exe = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
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
        return process;
    }

    private string? _caFile;

    /// <summary>Publishes one message with mosquitto_pub at QoS 1 (MQTT 5).</summary>
    public async Task PublishAsync(string topic, string payload, string? username = null, string? password = null, bool retain = false)
    {
        var (exit, err) = await TryPublishAsync(topic, payload, username, password, retain).ConfigureAwait(false);
        if (exit != 0) throw new InvalidOperationException($"mosquitto_pub failed ({exit}): {err}");
    }

    /// <summary>As <see cref="PublishAsync"/>, returning mosquitto_pub's exit code and stderr (a refused CONNECT is not 0).</summary>
    public Task<(int ExitCode, string Error)> TryPublishAsync(string topic, string payload, string? username = null, string? password = null, bool retain = false)
    {
        var auth = (username is null ? "" : $" -u {username}") + (password is null ? "" : $" -P {password}")
            + (_caFile is null ? "" : $" --cafile {_caFile}") + (retain ? " -r" : "");
        return TryRunAsync("mosquitto_pub", $"-h 127.0.0.1 -p {Port} -V mqttv5 -q 1{auth} -t {topic} -m '{payload.Replace("'", "'\\''", StringComparison.Ordinal)}'");
    }

    private static async Task RunAsync(string file, string arguments)
    {
        var (exit, err) = await TryRunAsync(file, arguments).ConfigureAwait(false);
        if (exit != 0) throw new InvalidOperationException($"{file} failed ({exit}): {err}");
    }

    private static async Task<(int, string)> TryRunAsync(string file, string arguments)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"{file} {arguments}"]) { RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        return (p.ExitCode, err);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync().ConfigureAwait(false); }
        _process.Dispose();
        try { System.IO.Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
