using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>The pieces of Mqtt:Limits that need no broker: the packet size guard, escaping, the options' validation.</summary>
public sealed class MqttLimitsUnitTests
{
    [Theory]
    [InlineData(new byte[] { 0x30, 0x00 }, true)] // empty PUBLISH
    [InlineData(new byte[] { 0x30, 0x7F }, true)] // 129 bytes in all
    [InlineData(new byte[] { 0x30, 0x80, 0x08 }, false)] // Remaining Length 1024: 1027 bytes in all, over 1026
    [InlineData(new byte[] { 0x32, 0xFF, 0xFF, 0xFF, 0x7F }, false)] // 256 MB
    [InlineData(new byte[] { 0x32, 0xFF, 0xFF }, false)] // already over after two of four length bytes
    public void The_guard_judges_a_packet_by_its_fixed_header(byte[] header, bool fits)
    {
        var guard = new MqttPacketSizeGuard(1026);
        Assert.Equal(fits, guard.TryAdvance(header, out _));
    }

    [Fact]
    public void The_guard_follows_packets_across_reads_of_any_size()
    {
        // PINGREQ, a PUBLISH of 3 + 1000 bytes, PINGREQ, then an oversize header, fed one byte at a time.
        var stream = new List<byte> { 0xC0, 0x00, 0x30, 0xE8, 0x07 };
        stream.AddRange(new byte[1000]);
        stream.AddRange([0xC0, 0x00, 0x30, 0xE9, 0x07]);
        var guard = new MqttPacketSizeGuard(1003);
        var failedAt = -1;
        for (var i = 0; i < stream.Count && failedAt < 0; i++)
            if (!guard.TryAdvance(stream.GetRange(i, 1).ToArray(), out var announced))
            {
                failedAt = i;
                Assert.Equal(1004, announced);
            }
        Assert.Equal(stream.Count - 1, failedAt);
    }

    [Fact]
    public void A_fifth_length_byte_is_malformed()
    {
        var guard = new MqttPacketSizeGuard(MqttLimitsOptionsValidator.ProtocolMaxPacketBytes);
        Assert.False(guard.TryAdvance(new byte[] { 0x30, 0x80, 0x80, 0x80, 0x80 }, out _));
    }

    [Theory]
    [InlineData("vitals/a/body-weight", "vitals/a/body-weight")]
    [InlineData("a\u001b[2Jb", @"a\x1B[2Jb")]
    [InlineData("line\r\nINFO forged", @"line\r\nINFO forged")]
    [InlineData("back\\slash", @"back\\slash")]
    [InlineData("bidi\u202Eevil", @"bidi\u202Eevil")]
    [InlineData("c1\u009b", @"c1\x9B")]
    public void Escape_makes_control_characters_visible(string text, string expected) =>
        Assert.Equal(expected, SafeText.Escape(text));

    [Fact]
    public void Escape_cuts_to_the_cap_without_splitting_an_escape_and_says_how_long_it_was()
    {
        var text = new string('a', 186) + "\u001b" + new string('b', 100);
        var escaped = SafeText.Escape(text, 200);
        Assert.True(escaped.Length <= 200, escaped.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("…(287 chars)", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain("\\x1", escaped.Replace("\\x1B", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(escaped, c => char.IsControl(c));
    }

    [Fact]
    public void ForTerminal_escapes_controls_but_not_an_escape_already_stored() =>
        Assert.Equal(@"mqtt a\x1B from client b\x07", SafeText.ForTerminal("mqtt a\\x1B from client b\u0007"));

    [Fact]
    public void Limits_are_validated_naming_the_key()
    {
        var result = new MqttLimitsOptionsValidator().Validate(null, new MqttLimitsOptions
        {
            MaxPacketBytes = 10, MaxConnections = 0, PublishesPerSecond = 0, PublishBurst = 0, ReceiveMaximum = 0, MaxSessionExpiry = TimeSpan.Zero,
        });
        foreach (var key in new[] { "MaxPacketBytes", "MaxConnections", "PublishesPerSecond", "PublishBurst", "ReceiveMaximum", "MaxSessionExpiry" })
            Assert.Contains(result.Failures!, f => f.StartsWith("Mqtt:Limits:" + key + " ", StringComparison.Ordinal));
        Assert.True(new MqttLimitsOptionsValidator().Validate(null, new MqttLimitsOptions()).Succeeded);
    }
}
