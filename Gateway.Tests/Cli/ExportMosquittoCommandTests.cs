using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Cli;

public sealed class ExportMosquittoCommandTests : IDisposable
{
    private readonly TempStore _temp = new();
    private string PasswordsPath => Path.Combine(_temp.Folder, "passwd");
    private string AclPath => Path.Combine(_temp.Folder, "acl");

    private async Task<(int Exit, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string?>? config, params string[] args)
    {
        using var store = await _temp.OpenAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(config ?? new Dictionary<string, string?>()).Build();
        var exit = await ExportMosquittoCommand.RunAsync(args, store.Credentials, configuration, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task IssueAsync(string device, string hash)
    {
        using var store = await _temp.OpenAsync();
        await store.Credentials.SetAsync(device, hash, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    private static string Hash(string password) => MosquittoPasswordHash.Create(password, MosquittoAuthFiles.DefaultIterations).ToString();

    [Fact]
    public async Task Writes_one_account_per_device_confined_to_its_topics_and_the_gateway_account_from_its_configuration()
    {
        var a = Hash("pw-a");
        await IssueAsync("cuff-7", a);
        await IssueAsync("AA:BB:CC:DD:EE:FF", Hash("pw-ble"));
        var config = new Dictionary<string, string?> { ["Mqtt:Username"] = "vitals-gateway", ["Mqtt:Password"] = "gw-pw" };

        var (exit, stdout, stderr) = await RunAsync(config, "--passwords", PasswordsPath, "--acl", AclPath);

        Assert.Equal(0, exit);
        var passwords = File.ReadAllLines(PasswordsPath);
        Assert.Equal(2, passwords.Length);
        Assert.StartsWith("vitals-gateway:$7$101$", passwords[0]);
        Assert.True(MosquittoPasswordHash.TryParse(passwords[0]["vitals-gateway:".Length..], out var gatewayHash));
        Assert.True(gatewayHash.Verify("gw-pw"));
        Assert.Equal("cuff-7:" + a, passwords[1]);
        var acl = File.ReadAllText(AclPath);
        Assert.Contains("user vitals-gateway\ntopic read vitals/#\n", acl);
        Assert.Contains("user cuff-7\ntopic write vitals/cuff-7/#\n", acl);
        // A Bluetooth address cannot be a mosquitto user name: left out, said so.
        Assert.DoesNotContain("AA:BB", acl + string.Join('\n', passwords));
        Assert.Contains("AA:BB:CC:DD:EE:FF", stderr);
        Assert.Contains("1 device account(s)", stdout);
        Assert.DoesNotContain("$7$101$", stdout + stderr); // never a hash
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PasswordsPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AclPath));
        }
    }

    [Fact]
    public async Task The_password_file_is_one_mosquitto_passwd_reads_and_updates()
    {
        await IssueAsync("thermo-1", Hash("pw-t"));
        var gateway = Hash("gw-pw");
        Assert.Equal(0, (await RunAsync(null, "--passwords", PasswordsPath, "--acl", AclPath, "--gateway-user", "gw", "--gateway-password-hash", gateway)).Exit);

        // mosquitto_passwd(1) parses every line to rewrite the file: a line it could not read would fail it.
        var psi = new ProcessStartInfo("mosquitto_passwd", ["-b", PasswordsPath, "added", "pw-added"]) { RedirectStandardError = true };
        using (var p = Process.Start(psi)!)
        {
            var err = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, err);
        }
        var lines = File.ReadAllLines(PasswordsPath);
        Assert.Equal("gw:" + gateway, lines[0]);
        Assert.Contains(lines, l => l.StartsWith("thermo-1:$7$", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("added:$7$", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_export_replaces_the_old_files_whole_with_mode_600_and_leaves_no_temporary_file()
    {
        File.WriteAllText(PasswordsPath, "old:line\n");
        File.WriteAllText(AclPath, "user old\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(AclPath, (UnixFileMode)0b110_100_100);
        await IssueAsync("scale-2", Hash("pw-s"));

        Assert.Equal(0, (await RunAsync(null, "--passwords", PasswordsPath, "--acl", AclPath, "--gateway-user", "gw", "--gateway-password-hash", Hash("x"))).Exit);

        Assert.DoesNotContain("old", File.ReadAllText(PasswordsPath));
        Assert.DoesNotContain("user old", File.ReadAllText(AclPath));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AclPath));
        Assert.Empty(Directory.GetFiles(_temp.Folder, "*.tmp"));
    }

    [Fact]
    public async Task Bad_usage_exits_2_and_writes_nothing()
    {
        await IssueAsync("cuff-7", Hash("pw"));
        string[] files = ["--passwords", PasswordsPath, "--acl", AclPath];
        await Assert.ThrowsAsync<UsageException>(() => RunAsync(null, "--passwords", PasswordsPath));
        await Assert.ThrowsAsync<UsageException>(() => RunAsync(null, [.. files, "--gateway-password-hash", Hash("x")]));
        await Assert.ThrowsAsync<UsageException>(() => RunAsync(null, [.. files, "--gateway-user", "gw"]));
        await Assert.ThrowsAsync<UsageException>(() => RunAsync(null, [.. files, "--gateway-user", "gw", "--gateway-password-hash", "plaintext"]));
        var clash = await Assert.ThrowsAsync<UsageException>(() => RunAsync(null, [.. files, "--gateway-user", "cuff-7", "--gateway-password-hash", Hash("x")]));
        Assert.Contains("device id", clash.Message);
        await Assert.ThrowsAsync<UsageException>(() => RunAsync(null, "--passwords", AclPath, "--acl", AclPath, "--gateway-user", "gw", "--gateway-password-hash", Hash("x")));
        Assert.False(File.Exists(PasswordsPath));
        Assert.False(File.Exists(AclPath));
    }

    [Fact]
    public async Task The_devices_verb_dispatches_export_mosquitto_help()
    {
        Assert.Equal(0, await DevicesCommand.RunAsync(["export-mosquitto", "--help"]));
    }

    public void Dispose() => _temp.Dispose();
}
