using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// The BLE simulator (simulators/BleSimulator) as its own process serving org.bluez on a private bus, with its
/// loopback control API as typed methods (BLE_CONTRACT.md). TZ is UTC unless the caller says otherwise, so device
/// wall clocks read the same in both processes.
/// </summary>
public sealed class BleSimulatorProcess : IAsyncDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Vitals.BleSimulator.dll");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    private BleSimulatorProcess(ProcessRunner process, Uri control)
    {
        Process = process;
        Control = control;
        _http = new HttpClient { BaseAddress = control, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ProcessRunner Process { get; }

    /// <summary>The control API base ("http://127.0.0.1:port/").</summary>
    public Uri Control { get; }

    /// <summary>Default: 4 devices, readings only on command (--interval 0).</summary>
    public static async Task<BleSimulatorProcess> StartAsync(string busAddress, IEnumerable<string>? args = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var arguments = new List<string> { Dll, "--bus", busAddress, "--control-port", "0" };
        var extra = args?.ToList() ?? [];
        if (!extra.Contains("--interval"))
        {
            arguments.AddRange(["--interval", "0"]);
        }
        arguments.AddRange(extra);
        var env = new Dictionary<string, string?> { ["TZ"] = "UTC", ["BLESIM_LOG_LEVEL"] = "Debug" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }
        var process = ProcessRunner.Start("dotnet", arguments, AppContext.BaseDirectory, env, name: "ble-simulator");
        try
        {
            var ready = await process.WaitForLineAsync(l => l.StartsWith("ble-simulator ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            var control = ready[(ready.IndexOf(" control=", StringComparison.Ordinal) + " control=".Length)..].Trim();
            return new BleSimulatorProcess(process, new Uri(control));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>POST /devices/{addr}/reading[?user=N]: the device measures now (as user N on a cuff or scale).</summary>
    public Task<BleSimulatedReading> TakeReadingAsync(string address, int? user = null) =>
        PostAsync<BleSimulatedReading>(user is { } u ? string.Create(CultureInfo.InvariantCulture, $"devices/{address}/reading?user={u}") : $"devices/{address}/reading");

    /// <summary>POST /devices/{addr}/store?count=N: the device leaves range, stores N readings, comes back.</summary>
    public Task<IReadOnlyList<BleSimulatedReading>> StoreAsync(string address, int count) =>
        PostAsync<IReadOnlyList<BleSimulatedReading>>(string.Create(CultureInfo.InvariantCulture, $"devices/{address}/store?count={count}"));

    /// <summary>POST /devices/{addr}/disconnect?away=S: the link drops; out of range for S seconds.</summary>
    public Task<BleSimulatedDevice> DisconnectAsync(string address, TimeSpan away = default) =>
        PostAsync<BleSimulatedDevice>(string.Create(CultureInfo.InvariantCulture, $"devices/{address}/disconnect?away={away.TotalSeconds}"));

    /// <summary>POST /devices/{addr}/malformed: a truncated value on the measurement characteristic; returns its hex.</summary>
    public async Task<string> MalformedAsync(string address)
    {
        var result = await PostAsync<JsonElement>($"devices/{address}/malformed").ConfigureAwait(false);
        return result.GetProperty("hex").GetString()!;
    }

    /// <summary>POST /bluetoothd/restart: org.bluez changes owner; returns the new unique name.</summary>
    public async Task<string> RestartBluetoothdAsync()
    {
        var result = await PostAsync<JsonElement>("bluetoothd/restart").ConfigureAwait(false);
        return result.GetProperty("uniqueName").GetString()!;
    }

    public async Task<IReadOnlyList<BleSimulatedReading>> GetReadingsAsync() =>
        (await _http.GetFromJsonAsync<List<BleSimulatedReading>>("readings", Json).ConfigureAwait(false))!;

    public async Task<IReadOnlyList<BleSimulatedDevice>> GetDevicesAsync() =>
        (await _http.GetFromJsonAsync<List<BleSimulatedDevice>>("devices", Json).ConfigureAwait(false))!;

    private async Task<T> PostAsync<T>(string path)
    {
        using var response = await _http.PostAsync(path, null).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ble-simulator POST {path}: {(int)response.StatusCode} {body}");
        }
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
