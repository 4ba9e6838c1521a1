using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Packaging;

/// <summary>
/// The .deb, built once for the test class by <c>scripts/package-deb.sh</c> (a self-contained publish: one to two
/// minutes, the slowest step of these tests) and unpacked: <see cref="Root"/> holds its files, <see cref="Control"/>
/// its DEBIAN/ part.
/// </summary>
public sealed class DebPackageFixture : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "vg-deb-" + Guid.NewGuid().ToString("N")[..12]);

    public string Deb { get; private set; } = "";
    public string Root => Path.Combine(_folder, "root");
    public string Control => Path.Combine(_folder, "control");

    public string File(string packagePath) => Path.Combine(Root, packagePath.TrimStart('/'));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var (exit, output) = await RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "package-deb.sh"), "--out", _folder], TimeSpan.FromMinutes(10));
        if (exit != 0) throw new InvalidOperationException($"scripts/package-deb.sh failed (exit {exit}):\n{output}");
        Deb = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        await CheckedAsync("dpkg-deb", ["-x", Deb, Root]);
        await CheckedAsync("dpkg-deb", ["-e", Deb, Control]);
    }

    /// <summary>Runs a command to its end; the exit code and stdout (stderr's tail appended when it failed).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(
        string file, string[] args, TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var process = ProcessRunner.Start(file, args, RepoPaths.Root, environment);
        var exit = await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(1));
        var output = string.Join('\n', process.StandardOutputLines);
        return (exit, exit == 0 ? output : output + "\n" + process.StandardErrorTail);
    }

    public static async Task<string> CheckedAsync(string file, params string[] args)
    {
        var (exit, output) = await RunAsync(file, args);
        if (exit != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {exit}\n{output}");
        return output;
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
