using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway executable as its own process (<c>dotnet Vitals.Gateway.dll run</c>), configured only through
/// environment variables, as an operator would. It can be killed with SIGKILL and started again on the same store and
/// ports, and its CLI verbs run as separate processes against the same store.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "Vitals.Gateway.dll");
    private readonly Dictionary<string, string?> _environment;
    private readonly string? _umask;
    private ProcessRunner _process;
    private int _starts = 1;

    private GatewayProcess(ProcessRunner process, Dictionary<string, string?> environment, string? umask, string directory, int mqttPort, string webUrl)
    {
        _process = process;
        _environment = environment;
        _umask = umask;
        Directory = directory;
        MqttPort = mqttPort;
        WebUrl = webUrl;
    }

    public string Directory { get; }
    public int MqttPort { get; }
    public string WebUrl { get; }
    public string StorePath => Path.Combine(Directory, "gateway.db");
    public ProcessRunner Process => _process;

    /// <param name="ehrBaseUrl">Ehr:BaseUrl</param>
    /// <param name="settings">more configuration, as keys (<c>Ehr:Retry:MaxDelay</c>); turned into environment variables</param>
    /// <param name="umask">the umask (octal, <c>000</c>) the gateway and its CLI verbs run with; null: this process's</param>
    public static async Task<GatewayProcess> StartAsync(string ehrBaseUrl, IReadOnlyDictionary<string, string?>? settings = null, string? umask = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vg-proc-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var mqttPort = FreePort.Next();
        var webUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var env = new Dictionary<string, string?>
        {
            ["Storage__Path"] = Path.Combine(dir, "gateway.db"),
            ["Mqtt__Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
            ["Web__Urls"] = webUrl,
            ["Ehr__BaseUrl"] = ehrBaseUrl,
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            env[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        var process = await LaunchAsync(env, umask, 1).ConfigureAwait(false);
        return new GatewayProcess(process, env, umask, dir, mqttPort, webUrl);
    }

    private static async Task<ProcessRunner> LaunchAsync(Dictionary<string, string?> env, string? umask, int start)
    {
        var process = Start([GatewayDll, "run"], env, umask, $"gateway#{start}");
        await process.WaitForLineAsync(l => l.Contains("Embedded MQTT broker listening", StringComparison.Ordinal) || l.Contains("Connected to MQTT broker", StringComparison.Ordinal), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return process;
    }

    /// <summary>kill -9: no shutdown code runs, nothing is flushed.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts the gateway again with the same store, ports and settings.</summary>
    public async Task RestartAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        _process = await LaunchAsync(_environment, _umask, ++_starts).ConfigureAwait(false);
    }

    /// <summary>Runs a CLI verb against the same configuration; returns the exit code and stdout.</summary>
    public async Task<(int ExitCode, string Output)> CliAsync(params string[] args)
    {
        await using var cli = Start([GatewayDll, .. args], _environment, _umask, "gateway-cli");
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return (exit, string.Join('\n', cli.StandardOutputLines));
    }

    /// <summary>
    /// <c>dotnet</c> with these arguments; with a umask, through <c>sh -c 'umask N; exec dotnet "$@"'</c> (exec: the
    /// process id stays the gateway's, so a kill reaches it).
    /// </summary>
    private static ProcessRunner Start(string[] arguments, Dictionary<string, string?> env, string? umask, string name) => umask is null
        ? ProcessRunner.Start("dotnet", arguments, AppContext.BaseDirectory, env, name)
        : ProcessRunner.Start("sh", ["-c", $"umask {umask} && exec dotnet \"$@\"", "sh", .. arguments], AppContext.BaseDirectory, env, name);

    /// <summary>The status page's JSON (<c>/api/status</c>).</summary>
    public async Task<JsonElement> StatusAsync()
    {
        using var http = new HttpClient();
        return await http.GetFromJsonAsync<JsonElement>($"{WebUrl}/api/status").ConfigureAwait(false);
    }

    /// <summary>Waits until nothing waits for the EHR any more (or the timeout); returns the last outbox status.</summary>
    public async Task<JsonElement> WaitForEmptyOutboxAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            JsonElement outbox;
            try
            {
                outbox = (await StatusAsync().ConfigureAwait(false)).GetProperty("outbox");
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Just restarted: the broker is up (what RestartAsync waits for) but the status page may not listen yet.
                await Task.Delay(200).ConfigureAwait(false);
                continue;
            }
            if (outbox.GetProperty("pending").GetInt64() == 0 || DateTime.UtcNow > deadline) return outbox;
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
