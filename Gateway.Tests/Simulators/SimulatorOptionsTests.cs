using Vitals.Devices;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class SimulatorOptionsTests
{
    [Fact]
    public void NoArguments_GiveTheDocumentedDefaults()
    {
        Assert.True(SimulatorOptions.TryParse([], out var options, out var error), error);

        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(1883, options.Port);
        Assert.Equal(1, options.Devices);
        Assert.Equal(VitalKindNames.All, options.Kinds);
        Assert.Equal(0, options.Count);
        Assert.Null(options.Duration);
        Assert.Equal(1, options.Clients);
        Assert.Equal(0, options.Malformed);
        Assert.Equal("sim", options.IdPrefix);
        Assert.False(options.Report);
    }

    [Fact]
    public void EveryOption_IsRead()
    {
        string[] args =
        [
            "--host", "broker.local", "--port", "1884", "--username", "u", "--password", "p", "--devices", "5",
            "--kinds", "blood-pressure,body-weight", "--rate", "250.5", "--count", "1000", "--duration", "30",
            "--clients", "4", "--malformed", "0.25", "--seed", "-3", "--inflight", "7", "--id-prefix", "load",
            "--mqtt", "3.1.1", "--report",
        ];

        Assert.True(SimulatorOptions.TryParse(args, out var o, out var error), error);

        Assert.Equal(("broker.local", 1884, "u", "p", 5), (o.Host, o.Port, o.Username, o.Password, o.Devices));
        Assert.Equal([VitalKind.BloodPressure, VitalKind.BodyWeight], o.Kinds);
        Assert.Equal((250.5, 1000L, TimeSpan.FromSeconds(30), 4, 0.25), (o.Rate, o.Count, o.Duration, o.Clients, o.Malformed));
        Assert.Equal((-3, 7, "load", true, true), (o.Seed, o.Inflight, o.IdPrefix, o.Mqtt311, o.Report));
    }

    [Theory]
    [InlineData("--kinds", "blood-glucose")]
    [InlineData("--malformed", "1.5")]
    [InlineData("--rate", "-1")]
    [InlineData("--port", "70000")]
    [InlineData("--devices", "0")]
    [InlineData("--inflight", "0")]
    [InlineData("--duration", "0")]
    [InlineData("--count", "many")]
    [InlineData("--clients", "7")]
    [InlineData("--id-prefix", "has space")]
    [InlineData("--mqtt", "4")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--port", null)]
    public void BadArguments_AreRejectedWithAMessageNamingTheOption(string option, string? value)
    {
        string[] args = value is null ? [option] : [option, value];

        Assert.False(SimulatorOptions.TryParse(args, out _, out var error));
        Assert.Contains(option, error);
    }

    [Fact]
    public void ALongPrefix_ThatMakesIdsLongerThan64_IsRejected()
    {
        Assert.False(SimulatorOptions.TryParse(["--id-prefix", new string('p', 50)], out _, out var error));
        Assert.Contains("--id-prefix", error);
    }

    [Fact]
    public void PasswordForAll_WithOneConnectionPerDevice_GivesEachDeviceTheOnePassword()
    {
        Assert.True(SimulatorOptions.TryParse(["--devices", "2", "--clients", "12", "--password-for-all", "s"], out var o, out var error), error);

        Assert.True(o.PerDeviceCredentials);
        Assert.Equal("s", o.PasswordOf("sim-heart-rate-0002"));
        Assert.Null(o.Username);
    }

    [Fact]
    public void CredentialsFile_IsReadAsDeviceIdPasswordLines()
    {
        using var file = new TempCredentials("# fleet", "sim-heart-rate-0001 pw1", "", "  sim-heart-rate-0002\tpw2  ");

        Assert.True(SimulatorOptions.TryParse(["--kinds", "heart-rate", "--devices", "2", "--clients", "2", "--credentials", file.Path], out var o, out var error), error);

        Assert.True(o.PerDeviceCredentials);
        Assert.Equal(("pw1", "pw2"), (o.PasswordOf("sim-heart-rate-0001"), o.PasswordOf("sim-heart-rate-0002")));
        Assert.Equal(file.Path, o.CredentialsFile);
    }

    [Theory]
    [InlineData("--password-for-all", "--devices", "2", "--clients", "6")]     // 12 devices on 6 connections
    [InlineData("--password-for-all", "--devices", "1")]                       // --clients 1 for 6 devices
    [InlineData("--password-for-all", "--clients", "6", "--username", "u")]    // per-device and one shared login
    [InlineData("--password-for-all", "--clients", "6", "--password", "p")]
    [InlineData("--credentials", "--kinds", "heart-rate", "--devices", "3", "--clients", "3")] // no line for device 3
    [InlineData("--credentials", "--kinds", "heart-rate", "--devices", "2", "--clients", "2", "--password-for-all", "s")]
    public void PerDeviceCredentials_ThatDoNotGiveEachConnectionOneDevice_AreRejectedNamingTheOption(string option, params string[] rest)
    {
        using var file = new TempCredentials("sim-heart-rate-0001 a", "sim-heart-rate-0002 b");
        string[] args = [option, option == "--credentials" ? file.Path : "secret", .. rest];

        Assert.False(SimulatorOptions.TryParse(args, out _, out var error));
        Assert.Contains(option == "--credentials" && rest.Contains("--password-for-all") ? "--password-for-all" : option, error);
    }

    [Theory]
    [InlineData("sim-heart-rate-0001")]                          // no password
    [InlineData("sim-heart-rate-0001 a b")]                      // a password with a space
    [InlineData("has/slash a")]                                  // not a device id
    [InlineData("sim-heart-rate-0001 a", "sim-heart-rate-0001 b")] // listed twice
    public void ACredentialsFile_WithABadLine_IsRejectedWithTheLine(params string[] lines)
    {
        using var file = new TempCredentials(lines);

        Assert.False(SimulatorOptions.TryParse(["--kinds", "heart-rate", "--credentials", file.Path], out _, out var error));
        Assert.Contains("--credentials", error);
        Assert.Contains("line", error);
    }

    [Fact]
    public void AMissingCredentialsFile_IsRejected_NotThrown()
    {
        Assert.False(SimulatorOptions.TryParse(["--credentials", "/nonexistent/creds.txt"], out _, out var error));
        Assert.Contains("--credentials", error);
    }

    [Fact]
    public void AnEmptyPasswordForAll_IsRejected()
    {
        Assert.False(SimulatorOptions.TryParse(["--password-for-all", "", "--clients", "6"], out _, out var error));
        Assert.Contains("--password-for-all", error);
    }

    private sealed class TempCredentials : IDisposable
    {
        public TempCredentials(params string[] lines)
        {
            Path = System.IO.Path.GetTempFileName();
            File.WriteAllLines(Path, lines);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
