using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// Configuration section "Mqtt:Limits": what one client, or all of them together, may cost the embedded broker
/// (README "Configuration"; defaults sized for a home hub, "Sizing for a clinic" for more).
/// </summary>
public sealed class MqttLimitsOptions
{
    public const string Section = "Mqtt:Limits";

    /// <summary>
    /// Largest packet, fixed header included (MQTT 5.0 §3.2.2.3.6 "Maximum Packet Size"). A larger one closes the
    /// connection as soon as its Remaining Length is read, before anything of it is buffered.
    /// </summary>
    public int MaxPacketBytes { get; set; } = 256 * 1024;

    /// <summary>Open network connections (plain and TLS together); one more is answered "quota exceeded" and closed.</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Sustained PUBLISH packets per second one connection may send; faster, its acknowledgements wait.</summary>
    public double PublishesPerSecond { get; set; } = 50;

    /// <summary>PUBLISH packets one connection may send at once before the rate applies (a device catching up after a gap).</summary>
    public int PublishBurst { get; set; } = 200;

    /// <summary>
    /// QoS 1 and 2 publishes a client may have unacknowledged: announced to MQTT 5 clients as Receive Maximum in
    /// CONNACK (MQTT 5.0 §3.2.2.3.3), and for every client the next publish is held until one is acknowledged.
    /// </summary>
    public int ReceiveMaximum { get; set; } = 16;

    /// <summary>
    /// Longest session a client may keep after it disconnects (MQTT 5.0 §3.1.2.11.2); a longer request is answered with
    /// this value in CONNACK (§3.2.2.3.2). MQTT 3.1.1 persistent sessions (CleanSession=0) end after it too.
    /// </summary>
    public TimeSpan MaxSessionExpiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A client that opened a connection has this long for its TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal uint MaxSessionExpirySeconds => (uint)Math.Min(uint.MaxValue - 1, MaxSessionExpiry.TotalSeconds);
}

internal sealed class MqttLimitsOptionsValidator : IValidateOptions<MqttLimitsOptions>
{
    // MQTT 5.0 §1.5.5: Remaining Length is a Variable Byte Integer of at most four bytes, so no packet is larger.
    internal const int ProtocolMaxPacketBytes = 268_435_455 + 5;

    public ValidateOptionsResult Validate(string? name, MqttLimitsOptions o)
    {
        var errors = new List<string>();
        if (o.MaxPacketBytes is < 1024 or > ProtocolMaxPacketBytes)
            errors.Add($"Mqtt:Limits:MaxPacketBytes {o.MaxPacketBytes} must be between 1024 and {ProtocolMaxPacketBytes}");
        if (o.MaxConnections is < 1 or > 100_000) errors.Add($"Mqtt:Limits:MaxConnections {o.MaxConnections} must be between 1 and 100000");
        if (!(o.PublishesPerSecond is > 0 and <= 1_000_000))
            errors.Add($"Mqtt:Limits:PublishesPerSecond {o.PublishesPerSecond} must be above 0 and at most 1000000");
        if (o.PublishBurst is < 1 or > 1_000_000) errors.Add($"Mqtt:Limits:PublishBurst {o.PublishBurst} must be between 1 and 1000000");
        // §3.2.2.3.3: a Receive Maximum of 0 is a Protocol Error; the property is a Two Byte Integer.
        if (o.ReceiveMaximum is < 1 or > ushort.MaxValue) errors.Add($"Mqtt:Limits:ReceiveMaximum {o.ReceiveMaximum} must be between 1 and 65535");
        // At least a second: a granted expiry of 0 cannot be announced (MQTTnet leaves a zero property out of CONNACK,
        // and an absent one means "as you asked", MQTT 5.0 §3.2.2.3.2). 0xFFFFFFFF means "never expires" (§3.1.2.11.2).
        if (o.MaxSessionExpiry < TimeSpan.FromSeconds(1) || o.MaxSessionExpiry.TotalSeconds >= uint.MaxValue)
            errors.Add($"Mqtt:Limits:MaxSessionExpiry {o.MaxSessionExpiry} must be between 1 second and {TimeSpan.FromSeconds(uint.MaxValue - 1)}");
        if (o.HandshakeTimeout <= TimeSpan.Zero || o.HandshakeTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"Mqtt:Limits:HandshakeTimeout {o.HandshakeTimeout} must be above 0 and at most 5 minutes");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
