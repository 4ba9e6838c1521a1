using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class LoadOptionsTests
{
    [Fact]
    public void Load_options_are_read_and_the_rest_go_to_the_simulator()
    {
        string[] args =
        [
            "--devices", "167", "--clients", "1002", "--rate", "500", "--duration", "600", "--gateway-pid", "4242",
            "--store", "/tmp/gw.db", "--sample-every", "5", "--warmup", "60", "--drain", "30", "--inflight", "10",
        ];

        Assert.True(LoadOptions.TryParse(args, out var o, out var error), error);

        Assert.Equal((4242, "/tmp/gw.db"), (o.GatewayPid, o.StorePath));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), (o.SampleEvery, o.Warmup, o.Drain));
        Assert.Equal((167, 1002, 500.0, TimeSpan.FromSeconds(600), 10), (o.Simulator.Devices, o.Simulator.Clients, o.Simulator.Rate, o.Simulator.Duration, o.Simulator.Inflight));
        Assert.True(o.Simulator.Report); // implied
    }

    [Fact]
    public void Without_load_options_the_defaults_hold()
    {
        Assert.True(LoadOptions.TryParse(["--duration", "10"], out var o, out var error), error);

        Assert.Equal((null, null), (o.GatewayPid, o.StorePath));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromSeconds(60)), (o.SampleEvery, o.Warmup, o.Drain));
    }

    [Theory]
    [InlineData("--gateway-pid", "0")]
    [InlineData("--gateway-pid", "gateway")]
    [InlineData("--sample-every", "0.5")]
    [InlineData("--warmup", "-1")]
    [InlineData("--drain", "soon")]
    [InlineData("--store", "")]
    [InlineData("--drain", null)]
    [InlineData("--rate", "-5")]      // a simulator option, checked by the simulator's parser
    public void Bad_values_are_refused_naming_the_option(string option, string? value)
    {
        string[] args = value is null ? ["--duration", "10", option] : ["--duration", "10", option, value];

        Assert.False(LoadOptions.TryParse(args, out _, out var error));
        Assert.Contains(option, error);
    }

    [Fact]
    public void A_run_without_a_duration_is_refused()
    {
        Assert.False(LoadOptions.TryParse(["--rate", "100"], out _, out var error));
        Assert.Contains("--duration", error);
    }

    [Fact]
    public void Help_is_help()
    {
        Assert.True(LoadOptions.TryParse(["--help"], out var o, out _));
        Assert.True(o.Help);
    }
}
