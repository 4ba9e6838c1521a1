using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>Mqtt:Authentication and its companions: start-up stops on a setting that would open the front door.</summary>
public sealed class MqttAuthenticationOptionsTests
{
    private static IReadOnlyList<string> Errors(MqttOptions o)
    {
        var result = new MqttOptionsValidator().Validate(null, o);
        return result.Failed ? [.. result.Failures] : [];
    }

    [Theory]
    [InlineData("127.0.0.1", MqttAuthentication.Auto, false)]
    [InlineData("localhost", MqttAuthentication.Auto, false)]
    [InlineData("0.0.0.0", MqttAuthentication.Auto, true)]
    [InlineData("192.168.1.10", MqttAuthentication.Auto, true)]
    [InlineData("127.0.0.1", MqttAuthentication.Required, true)]
    [InlineData("127.0.0.1", MqttAuthentication.Off, false)]
    public void Auto_requires_credentials_unless_the_broker_listens_on_loopback_only(string host, MqttAuthentication mode, bool required) =>
        Assert.Equal(required, new MqttOptions { Host = host, Authentication = mode }.RequiresCredentials);

    [Theory]
    [InlineData(0)]
    [InlineData(65_536)]
    public void A_receive_maximum_MQTT_cannot_carry_stops_start_up_naming_the_key(int value) =>
        Assert.StartsWith("Mqtt:ReceiveMaximum", Assert.Single(Errors(new MqttOptions { Mode = MqttMode.External, ReceiveMaximum = value })), StringComparison.Ordinal);

    [Fact]
    public void Off_on_a_network_address_stops_start_up_naming_the_key()
    {
        var error = Assert.Single(Errors(new MqttOptions { Host = "0.0.0.0", Authentication = MqttAuthentication.Off }));
        Assert.StartsWith("Mqtt:Authentication", error, StringComparison.Ordinal);
        Assert.Empty(Errors(new MqttOptions { Host = "0.0.0.0", Authentication = MqttAuthentication.Off, Mode = MqttMode.External }));
    }

    [Theory]
    [InlineData(999)]
    [InlineData(100_001)]
    public void Credential_iterations_outside_the_range_are_refused(int iterations) =>
        Assert.StartsWith("Mqtt:CredentialIterations", Assert.Single(Errors(new MqttOptions { CredentialIterations = iterations })), StringComparison.Ordinal);

    [Fact]
    public void An_operator_needs_a_name_and_a_mosquitto_hash()
    {
        var good = MosquittoPasswordHash.Create("s", 1000).ToString();
        Assert.Empty(Errors(new MqttOptions { Operators = [new() { Username = "station", PasswordHash = good }] }));
        var errors = Errors(new MqttOptions
        {
            Operators = [new() { Username = "", PasswordHash = good }, new() { Username = "x", PasswordHash = "plain" }],
        });
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Operators:0:Username", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Mqtt:Operators:1:PasswordHash", StringComparison.Ordinal));
    }

    [Fact]
    public void One_verification_at_the_default_iterations_is_cheap_enough_for_a_fleet()
    {
        // 1,000 CONNECTs within 10 s on 2 cores leave 20 ms of CPU per CONNECT; a verification may take half of that.
        // Measured as this thread's CPU time (Linux schedstat), not wall-clock: the machine is shared with builders.
        var hash = MosquittoPasswordHash.Create("secret", MqttOptions.DefaultCredentialIterations);
        hash.Verify("secret");
        const int runs = 20;
        var before = ThreadCpuTime();
        for (var i = 0; i < runs; i++) Assert.True(hash.Verify("secret"));
        var each = (ThreadCpuTime() - before) / runs;
        Assert.True(each < TimeSpan.FromMilliseconds(10), $"one verification took {each.TotalMilliseconds:0.0} ms of CPU");
    }

    // The first field of /proc/thread-self/schedstat: nanoseconds this thread spent on a CPU.
    private static TimeSpan ThreadCpuTime() =>
        TimeSpan.FromTicks(long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 100);
}
