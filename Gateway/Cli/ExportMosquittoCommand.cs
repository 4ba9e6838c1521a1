using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>devices export-mosquitto</c>: mosquitto's password file and ACL file from the device registry, for
/// Mqtt:Mode=External (README "External broker"). Each file is written whole to a temporary file beside it, mode 600,
/// flushed to disk, and renamed over the old one: rename(2) replaces it in one step, so a mosquitto reloading on SIGHUP
/// reads the old file or the new one, never half of one.
/// </summary>
internal static class ExportMosquittoCommand
{
    private const string Help = """
        Usage: Vitals.Gateway devices export-mosquitto --passwords <file> --acl <file> [options]

          --passwords <file>              mosquitto password_file: <id>:$7$... per device with credentials
                                          (devices credentials), and the gateway's own account
          --acl <file>                    mosquitto acl_file: device <id> may publish only under vitals/<id>/#,
                                          the gateway's account may read vitals/# (shared subscriptions too)
          --gateway-user <name>           the gateway's account (default: Mqtt:Username)
          --gateway-password-hash <hash>  its password hash as mosquitto_passwd writes it ($7$...); default: a new
                                          hash of Mqtt:Password. Quote it: the shell expands $7
          --owner <user[:group]>          chown the new files (before they replace the old ones) to the user
                                          mosquitto runs as: mosquitto reads them after dropping root

        Both files are written with mode 600 and replace the old ones atomically; then reload mosquitto
        (kill -HUP <pid>, or systemctl reload mosquitto) to apply them.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = GatewayCommandLine.Parse(args, ["passwords", "acl", "gateway-user", "gateway-password-hash", "owner"]);
        if (a.Help)
        {
            Console.Out.WriteLine(Help);
            return ExitCodes.Ok;
        }
        using var services = GatewayCommandLine.BuildCliServices();
        var credentials = await services.OpenStoreAsync<IDeviceCredentials>().ConfigureAwait(false);
        return await RunAsync(a, credentials, GatewayCommandLine.LoadConfiguration(), Console.Out, Console.Error).ConfigureAwait(false);
    }

    /// <summary>The command on a given store and configuration (tests), <paramref name="args"/> without the verb.</summary>
    internal static Task<int> RunAsync(string[] args, IDeviceCredentials credentials, IConfiguration configuration, TextWriter stdout, TextWriter stderr) =>
        RunAsync(GatewayCommandLine.Parse(args, ["passwords", "acl", "gateway-user", "gateway-password-hash", "owner"]), credentials, configuration, stdout, stderr);

    private static async Task<int> RunAsync(CliArgs a, IDeviceCredentials credentials, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        if (a.Positionals.Count > 0) throw new UsageException($"unexpected argument '{a.Positionals[0]}'");
        var passwordsPath = a.Value("passwords") ?? throw new UsageException("export-mosquitto needs --passwords <file>");
        var aclPath = a.Value("acl") ?? throw new UsageException("export-mosquitto needs --acl <file>");
        if (Path.GetFullPath(passwordsPath) == Path.GetFullPath(aclPath))
            throw new UsageException("--passwords and --acl must be two different files");

        var gatewayUser = a.Value("gateway-user") ?? configuration[$"{MqttOptions.Section}:{nameof(MqttOptions.Username)}"]
            ?? throw new UsageException("the gateway's account has no name: set Mqtt:Username or pass --gateway-user <name>");
        var gatewayHash = GatewayHash(a.Value("gateway-password-hash"), configuration);

        var devices = await credentials.ListAsync(CancellationToken.None).ConfigureAwait(false);
        MosquittoAuthFiles files;
        try
        {
            files = MosquittoAuthFiles.Create(devices, gatewayUser, gatewayHash);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        var owner = a.Value("owner");
        try
        {
            // The ACL first: a device added to both files is let in only once it is confined.
            await WriteReplacingAsync(aclPath, files.Acl, owner).ConfigureAwait(false);
            await WriteReplacingAsync(passwordsPath, files.Passwords, owner).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }

        foreach (var id in files.Skipped)
            await stderr.WriteLineAsync($"warning: device '{id}' left out: its id cannot be a mosquitto user name (':') or its stored hash is not a $7$ hash").ConfigureAwait(false);
        await stdout.WriteLineAsync(
            $"wrote {files.Devices} device account(s) and the gateway's ({gatewayUser}) to {passwordsPath}, their topics to {aclPath} (mode 600)").ConfigureAwait(false);
        await stdout.WriteLineAsync("next: reload mosquitto to apply them (kill -HUP <pid> or systemctl reload mosquitto)").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static MosquittoPasswordHash GatewayHash(string? given, IConfiguration configuration)
    {
        if (given is not null)
        {
            return MosquittoPasswordHash.TryParse(given, out var parsed)
                ? parsed
                : throw new UsageException("--gateway-password-hash must be a $7$ hash as mosquitto_passwd writes it (quote it for the shell)");
        }
        // The gateway's own password, from its own configuration: hashed here, so it never has to be typed into a
        // shell or appear in a process list.
        var password = configuration[$"{MqttOptions.Section}:{nameof(MqttOptions.Password)}"];
        return password is { Length: > 0 }
            ? MosquittoPasswordHash.Create(password, MosquittoAuthFiles.DefaultIterations)
            : throw new UsageException("the gateway's account needs a password: set Mqtt:Password or pass --gateway-password-hash '$7$...'");
    }

    private static async Task WriteReplacingAsync(string path, string text, string? owner)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            // 600 from creation on: no moment at which another user could read the hashes.
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var stream = new FileStream(temp, options))
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
                // On disk before the rename, so a crash cannot leave the new name on an empty file.
                stream.Flush(flushToDisk: true);
            }
            if (owner is not null) await ChownAsync(temp, owner).ConfigureAwait(false);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>chown(1): resolves the user and group names as the system does.</summary>
    private static async Task ChownAsync(string path, string owner)
    {
        var psi = new ProcessStartInfo("chown") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(owner);
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("chown could not be started");
        var error = await p.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0) throw new InvalidOperationException($"--owner {owner}: chown failed: {error.Trim()}");
    }
}
