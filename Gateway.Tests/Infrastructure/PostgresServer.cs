using System.Diagnostics;
using Npgsql;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// Debian's PostgreSQL (installed by scripts/test.sh) as a throwaway cluster for the test run: <c>initdb</c> into a
/// temporary folder, <c>pg_ctl start</c> on a free loopback port with its socket in that folder, password
/// authentication (so connection strings carry a secret, as in production), fsync on. Shared by the
/// <see cref="PostgresCollection"/>; each store test creates its own database. When the server cannot start, the
/// tests fail: the PostgreSQL store is tested in CI, never silently skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string User = "vitals";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vg-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private string? _bin;

    public int Port { get; private set; }

    /// <summary>The superuser's password, generated per run.</summary>
    public string Password { get; } = Guid.NewGuid().ToString("N");

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Database = database, Username = User, Password = Password,
            // Tests open many short-lived stores: no idle connections left behind by a disposed one.
            Pooling = true, MaxPoolSize = 20,
        }.ConnectionString;

    public async Task InitializeAsync()
    {
        _bin = Directory.EnumerateDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb); scripts/test.sh installs it (apt-get install postgresql).");
        Directory.CreateDirectory(_dir);
        var data = Path.Combine(_dir, "data");
        var pwfile = Path.Combine(_dir, "pw");
        await File.WriteAllTextAsync(pwfile, Password + "\n").ConfigureAwait(false);
        if (Environment.IsPrivilegedProcess)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres user Debian's package created.
            await RunAsync("chown", ["-R", "postgres:postgres", _dir]).ConfigureAwait(false);
        }
        await PgAsync("initdb", ["-D", data, "-U", User, $"--pwfile={pwfile}", "--auth=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync"]).ConfigureAwait(false);
        Port = FreePort.Next();
        await PgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300", "start"]).ConfigureAwait(false);
    }

    /// <summary>A new, empty database; its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        return name;
    }

    public void DropDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        cmd.ExecuteNonQuery();
    }

    public async Task DisposeAsync()
    {
        if (_bin is not null && Port != 0)
        {
            await PgAsync("pg_ctl", ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A PostgreSQL program, as the postgres user when the tests run as root.</summary>
    private Task PgAsync(string program, string[] args)
    {
        var path = Path.Combine(_bin!, program);
        return Environment.IsPrivilegedProcess ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private async Task RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_dir, "server.log");
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)} {await stdout.ConfigureAwait(false)}"
                + (File.Exists(log) ? "\nserver log:\n" + await File.ReadAllTextAsync(log).ConfigureAwait(false) : ""));
        }
    }
}
