namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>Locations in the repository, found from the test binaries (walk up to the folder holding Gateway.sln).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the first folder above the test binaries that contains Gateway.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string SandboxEhrDirectory => Path.Combine(Root, "simulators", "SandboxEhr");

    public static string SandboxEhrServer => Path.Combine(SandboxEhrDirectory, "server.mjs");

    public static string DeviceSimulatorProject => Path.Combine(Root, "simulators", "DeviceSimulator", "DeviceSimulator.csproj");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No folder containing Gateway.sln above {AppContext.BaseDirectory}");
    }
}
