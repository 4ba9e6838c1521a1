using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// The sandbox EHR (simulators/SandboxEhr/server.mjs: Medplum's FHIR router in memory) as a child process of the test:
/// a real FHIR R4 server on a loopback port, with the admin endpoints for outages, faults and reset.
/// Start it with <see cref="StartAsync"/>; dispose to kill it.
/// </summary>
public sealed class SandboxEhrProcess : IAsyncDisposable
{
    /// <summary>The environment variable that names the node binary to use (default: node on PATH).</summary>
    public const string NodeVariable = "SANDBOX_EHR_NODE";

    private const string ReadyPrefix = "sandbox-ehr listening on ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ProcessRunner _process;
    private readonly HttpClient _http;

    private SandboxEhrProcess(ProcessRunner process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        Port = baseUrl.Port;
        // No pooled connections: after an outage a reused socket would fail with a reset instead of the connection
        // refusal a new connection gets, and tests reason about the latter.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
    }

    /// <summary>The FHIR base, with a trailing slash: <c>http://127.0.0.1:N/fhir/R4/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The FHIR base as configuration wants it (no trailing slash), e.g. for <c>Ehr__BaseUrl</c>.</summary>
    public string BaseUrlText => BaseUrl.ToString().TrimEnd('/');

    public int Port { get; }

    /// <summary>A client for raw FHIR calls, BaseAddress = <see cref="BaseUrl"/>, Accept: application/fhir+json.</summary>
    public HttpClient Http => _http;

    /// <summary>The last lines the server wrote to stderr (it logs every 4xx/5xx there).</summary>
    public string StandardErrorTail => _process.StandardErrorTail;

    public ProcessRunner Process => _process;

    /// <summary>
    /// Starts the server on <paramref name="port"/> (0: the server picks a free one and reports it, which cannot race
    /// with other processes) and waits for its ready line.
    /// </summary>
    /// <exception cref="InvalidOperationException">Node or the npm packages are missing, or the server did not start.</exception>
    /// <param name="extraArguments">more server options, e.g. <c>--require-token-introspect URL</c></param>
    public static async Task<SandboxEhrProcess> StartAsync(
        int port = 0, CancellationToken cancellationToken = default, IReadOnlyList<string>? extraArguments = null)
    {
        var directory = RepoPaths.SandboxEhrDirectory;
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@medplum", "fhir-router")))
        {
            throw new InvalidOperationException(
                $"The sandbox EHR's npm packages are not installed ({Path.Combine(directory, "node_modules")} is missing): " +
                "run `bash simulators/SandboxEhr/install.sh` from the repository root.");
        }
        var node = Environment.GetEnvironmentVariable(NodeVariable) is { Length: > 0 } configured ? configured : "node";
        var process = ProcessRunner.Start(
            node,
            [RepoPaths.SandboxEhrServer, "--port", port.ToString(CultureInfo.InvariantCulture), "--exit-on-stdin-close", .. extraArguments ?? []],
            workingDirectory: directory,
            name: "sandbox-ehr");
        try
        {
            var line = await process.WaitForLineAsync(l => l.StartsWith(ReadyPrefix, StringComparison.Ordinal), StartTimeout, cancellationToken)
                .ConfigureAwait(false);
            var baseUrl = new Uri(line[ReadyPrefix.Length..].Trim().TrimEnd('/') + "/");
            return new SandboxEhrProcess(process, baseUrl);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Takes the server down for <paramref name="duration"/>: when this returns, new connections are refused and open
    /// ones are closed; afterwards it listens again on the same port with all data kept.
    /// </summary>
    public async Task OutageAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var seconds = duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        await AdminPostAsync($"outage?seconds={seconds}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls until the server answers again (after an outage), or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAvailableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(AdminUri("stats"), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Still down.
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"sandbox EHR not available again within {timeout.TotalSeconds:0.#} s. Stderr:\n{StandardErrorTail}");
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Empties the store and clears request statistics, injected faults and delay.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => AdminPostAsync("reset", cancellationToken);

    /// <summary>The next <paramref name="count"/> FHIR requests get <paramref name="status"/> (with Retry-After if given).</summary>
    public Task InjectFaultsAsync(int status, int count, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"faults?status={status}&count={count}");
        if (retryAfter is { } wait)
        {
            query += string.Create(CultureInfo.InvariantCulture, $"&retryAfter={(int)Math.Ceiling(wait.TotalSeconds)}");
        }
        return AdminPostAsync(query, cancellationToken);
    }

    /// <summary>
    /// From now on every POST of a <paramref name="resourceType"/> whose JSON matches <paramref name="pattern"/> (a
    /// JavaScript regular expression; also as an entry of a Bundle, which is then refused whole) is answered
    /// <paramref name="status"/> with an OperationOutcome saying "Refused by rule: <paramref name="reason"/>".
    /// </summary>
    public Task RefuseAsync(string resourceType, string pattern, string reason, int status = 422, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture,
            $"refuse?type={Uri.EscapeDataString(resourceType)}&match={Uri.EscapeDataString(pattern)}&reason={Uri.EscapeDataString(reason)}&status={status}"),
            cancellationToken);

    /// <summary>
    /// Answers to writes that a 2xx dresses up but that prove nothing, until <c>off</c> (simulators/README.md,
    /// <c>$admin/answers</c>): <c>html</c>, <c>operation-outcome</c>, <c>batch-response</c>, <c>drop-entry</c>.
    /// </summary>
    public Task SetAnswersAsync(string mode, CancellationToken cancellationToken = default) =>
        AdminPostAsync("answers?mode=" + Uri.EscapeDataString(mode), cancellationToken);

    /// <summary>Every FHIR request waits this long before it is handled (zero turns it off).</summary>
    public Task SetDelayAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture, $"delay?ms={(int)delay.TotalMilliseconds}"), cancellationToken);

    /// <summary>Request counts by status, aborted requests and stored resources by type.</summary>
    /// <summary>
    /// Switches the sandbox's Medplum behaviours (<c>$admin/medplum</c>), e.g. <c>all=off</c>, <c>profiles=off</c>,
    /// <c>writesPerMinute=20</c>; reset goes back to the command line's (all on by default).
    /// </summary>
    public Task SetMedplumAsync(string query, CancellationToken cancellationToken = default) =>
        AdminPostAsync("medplum?" + query, cancellationToken);

    /// <summary>Every <paramref name="every"/>-th write answered <paramref name="status"/> (with Retry-After when given) until reset.</summary>
    public Task InjectEveryAsync(int status, int every, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture,
            $"faults?status={status}&every={every}{(retryAfter is { } r ? $"&retryAfter={(int)r.TotalSeconds}" : "")}"), cancellationToken);

    /// <summary>Writes (Bundles of at least <paramref name="minEntries"/> entries) wait <paramref name="delay"/> before they are handled.</summary>
    public Task HangAsync(TimeSpan delay, int minEntries = 0, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture, $"hang?ms={(int)delay.TotalMilliseconds}&minEntries={minEntries}"), cancellationToken);

    /// <summary>Any write carrying an Observation with this identifier value answered <paramref name="status"/> (0 takes it off).</summary>
    public Task PoisonAsync(string identifierValue, int status = 500, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture, $"poison?identifier={Uri.EscapeDataString(identifierValue)}&status={status}"), cancellationToken);

    /// <summary>Every write answered <paramref name="status"/> (403: a token without the write scope; 0 turns it off).</summary>
    public Task ForbidAsync(int status = 403, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture, $"forbid?status={status}"), cancellationToken);

    /// <summary>Bundles of more than <paramref name="entries"/> entries answered 413 (0 turns it off).</summary>
    public Task LimitBundlesAsync(int entries, int status = 413, CancellationToken cancellationToken = default) =>
        AdminPostAsync(string.Create(CultureInfo.InvariantCulture, $"bundle-limit?entries={entries}&status={status}"), cancellationToken);

    public async Task<JsonDocument> StatsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(AdminUri("stats"), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, "GET $admin/stats", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A FHIR search relative to the base, e.g. <c>Observation?identifier=sys|val&amp;_count=1000</c>.</summary>
    public async Task<JsonDocument> SearchAsync(string query, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri(query, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, $"GET {query}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>total</c> of a search (asked with <c>_summary=count</c>).</summary>
    public async Task<int> CountAsync(string query, CancellationToken cancellationToken = default)
    {
        var separator = query.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var bundle = await SearchAsync($"{query}{separator}_summary=count", cancellationToken).ConfigureAwait(false);
        return bundle.RootElement.GetProperty("total").GetInt32();
    }

    /// <summary>Every resource a search matches, following the server's <c>next</c> links page by page.</summary>
    public async Task<IReadOnlyList<JsonElement>> SearchAllAsync(string query, int pageSize = 1000, CancellationToken cancellationToken = default)
    {
        var separator = query.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var next = new Uri($"{query}{separator}_count={pageSize}", UriKind.Relative);
        var resources = new List<JsonElement>();
        for (var page = 0; next is not null; page++)
        {
            if (page > 100_000)
            {
                throw new InvalidOperationException($"search {query} did not finish paging");
            }
            using var response = await _http.GetAsync(next, cancellationToken).ConfigureAwait(false);
            using var bundle = await ReadJsonAsync(response, $"GET {next}", cancellationToken).ConfigureAwait(false);
            if (bundle.RootElement.TryGetProperty("entry", out var entries))
            {
                foreach (var entry in entries.EnumerateArray())
                {
                    if (entry.TryGetProperty("resource", out var resource))
                    {
                        resources.Add(resource.Clone());
                    }
                }
            }
            next = null;
            if (bundle.RootElement.TryGetProperty("link", out var links))
            {
                foreach (var link in links.EnumerateArray())
                {
                    if (link.GetProperty("relation").GetString() == "next")
                    {
                        next = new Uri(link.GetProperty("url").GetString()!, UriKind.Absolute);
                    }
                }
            }
        }
        return resources;
    }

    /// <summary>How many Observations the server holds, counted by paging through all of them.</summary>
    public async Task<int> CountAllObservationsAsync(CancellationToken cancellationToken = default) =>
        (await SearchAllAsync("Observation", cancellationToken: cancellationToken).ConfigureAwait(false)).Count;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync().ConfigureAwait(false);
    }

    private Uri AdminUri(string action) => new(BaseUrl, $"/$admin/{action}");

    private async Task AdminPostAsync(string action, CancellationToken cancellationToken)
    {
        using var content = new StringContent("", Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(AdminUri(action), content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"POST $admin/{action} answered {(int)response.StatusCode}: {body}");
        }
    }

    private async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body}\nSandbox stderr:\n{StandardErrorTail}");
        }
        return JsonDocument.Parse(body);
    }
}
