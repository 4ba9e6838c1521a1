using System.Runtime.Versioning;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// The store (database, <c>-wal</c>, <c>-shm</c>), its folder and private keys are for the gateway's user alone:
/// 0600 files in a 0700 folder, whatever the umask (the real processes run with umask 000 here).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StoreFileModeTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;
    private const UnixFileMode WorldReadable = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TempStore _temp = new();

    [Fact]
    public async Task The_gateway_and_its_cli_started_with_umask_000_create_folder_0700_store_wal_shm_and_key_0600()
    {
        var stateFolder = Path.Combine(_temp.Folder, "state", "vitals");
        await using var gateway = await GatewayProcess.StartAsync("http://127.0.0.1:9/fhir/R4/",
            new Dictionary<string, string?> { ["Storage:Path"] = Path.Combine(stateFolder, "gateway.db") }, umask: "000");
        var db = Path.Combine(stateFolder, "gateway.db");

        // Written while the gateway runs: the pairing goes through the WAL, which SQLite created beside the file.
        var paired = await gateway.CliAsync("devices", "pair", "C0:FF:EE:00:00:01", "--passkey", "123456");
        var keyFolder = Path.Combine(_temp.Folder, "keys");
        var generated = await gateway.CliAsync("keys", "generate", "--alg", "ES384", "--out", Path.Combine(keyFolder, "smart.pem"));

        Assert.Equal(0, paired.ExitCode);
        Assert.Equal(0, generated.ExitCode);
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(stateFolder));
        Assert.Equal(Private, File.GetUnixFileMode(db));
        Assert.Equal(Private, File.GetUnixFileMode(db + "-wal"));
        Assert.Equal(Private, File.GetUnixFileMode(db + "-shm"));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(keyFolder));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(keyFolder, "smart.pem")));
        // The folder above, which did not exist either, is created 0700 too.
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.GetDirectoryName(stateFolder)!));
    }

    [Fact]
    public async Task A_store_an_earlier_build_left_world_readable_is_tightened_when_opened()
    {
        (await _temp.OpenAsync()).Dispose();
        using (var raw = _temp.OpenRaw())
        {
            // Keep a -wal and -shm on disk: a second connection holds them while the modes are loosened.
            TempStore.ExecuteRaw(raw, "INSERT INTO schema_version (version, applied_at) SELECT 999, 'x' WHERE 0");
            foreach (var path in StoreFiles().Where(File.Exists))
                File.SetUnixFileMode(path, WorldReadable);

            await _temp.OpenAsync();

            Assert.All(StoreFiles().Where(File.Exists), path => Assert.Equal(Private, File.GetUnixFileMode(path)));
            Assert.Contains(_temp.DatabasePath + "-wal", StoreFiles().Where(File.Exists));
        }
    }

    [Fact]
    public async Task An_existing_folder_open_to_others_is_left_as_it_is_and_reported()
    {
        var folder = Path.GetDirectoryName(_temp.DatabasePath)!;
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

        Assert.Equal(PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, PrivateFiles.EnsureFolder(folder));
        await _temp.OpenAsync();

        Assert.Equal(PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(folder));
        Assert.Equal(Private, File.GetUnixFileMode(_temp.DatabasePath));
        Assert.Equal("0750", PrivateFiles.Octal(File.GetUnixFileMode(folder)));
    }

    private string[] StoreFiles() => [_temp.DatabasePath, _temp.DatabasePath + "-wal", _temp.DatabasePath + "-shm"];

    public void Dispose() => _temp.Dispose();
}
