using Vitals.Simulators.BleSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class BleSimulatorOptionsTests
{
    [Fact]
    public void Defaults_follow_the_contract()
    {
        Assert.True(BleSimulatorOptions.TryParse(["--bus", "unix:path=/tmp/x"], out var options, out _));
        Assert.Equal("unix:path=/tmp/x", options.Bus);
        Assert.Equal(4, options.Devices);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Interval);
        Assert.Equal("123456", options.Passkey);
        Assert.Equal("hci0", options.Adapter);
        Assert.Equal(0, options.ControlPort);
        Assert.Equal(TimeSpan.FromSeconds(30), options.TemporaryTimeout);
    }

    [Fact]
    public void Every_option_is_read()
    {
        Assert.True(BleSimulatorOptions.TryParse(
            ["--bus", "b", "--control-port", "8200", "--devices", "8", "--interval", "0.5", "--seed", "-3", "--passkey", "000042", "--adapter", "hci1",
             "--temporary-timeout", "1.5"],
            out var options, out _));
        Assert.Equal((8200, 8, TimeSpan.FromMilliseconds(500), -3, "000042", "hci1", TimeSpan.FromSeconds(1.5)),
            (options.ControlPort, options.Devices, options.Interval, options.Seed, options.Passkey, options.Adapter, options.TemporaryTimeout));
    }

    [Theory]
    [InlineData(new[] { "--devices", "4" }, "--bus")]
    [InlineData(new[] { "--bus", "b", "--passkey", "12345" }, "--passkey")]
    [InlineData(new[] { "--bus", "b", "--devices", "0" }, "--devices")]
    [InlineData(new[] { "--bus", "b", "--adapter", "hci/0" }, "--adapter")]
    [InlineData(new[] { "--bus", "b", "--temporary-timeout", "0" }, "--temporary-timeout")]
    [InlineData(new[] { "--bus", "b", "--frobnicate", "1" }, "--frobnicate")]
    [InlineData(new[] { "--bus" }, "--bus")]
    public void Bad_usage_names_the_option(string[] args, string named)
    {
        Assert.False(BleSimulatorOptions.TryParse(args, out _, out var error));
        Assert.Contains(named, error, StringComparison.Ordinal);
    }
}
