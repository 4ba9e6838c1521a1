using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

public sealed class MosquittoPasswordHashTests
{
    [Fact]
    public void A_created_hash_verifies_its_password_and_no_other()
    {
        var hash = MosquittoPasswordHash.Create("s3cret", iterations: 101);

        Assert.True(hash.Verify("s3cret"));
        Assert.False(hash.Verify("s3cret "));
        Assert.False(hash.Verify(""));
    }

    [Fact]
    public void The_text_form_is_mosquittos_and_parses_back()
    {
        var hash = MosquittoPasswordHash.Create("pw", iterations: 1000);

        var text = hash.ToString();

        Assert.Matches(@"^\$7\$1000\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$", text);
        Assert.True(MosquittoPasswordHash.TryParse(text, out var parsed));
        Assert.True(parsed.Verify("pw"));
        Assert.Equal(text, parsed.ToString());
    }

    [Fact]
    public void A_hash_written_by_mosquitto_passwd_verifies()
    {
        // Made with: mosquitto_passwd -c -b -H sha512-pbkdf2 file thermo-1 'correct horse' (mosquitto 2.0.11, Debian).
        const string line = "$7$101$NoPRraAX/cqiA/Tz$Rn34JqqWR096WH7UoWl87oX7wEbgm5F1RZF7bib8EI95KKOKYc7Gng/ULVjdpQqrsO+JMEKk/36CPxkuYstDhA==";
        Assert.True(MosquittoPasswordHash.TryParse(line, out var hash));

        Assert.True(hash.Verify("correct horse"));
        Assert.False(hash.Verify("correct horse!"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("$6$abc$def")]
    [InlineData("$7$x$AAAA$AAAA")]
    [InlineData("$7$0$AAAA$AAAA")]
    [InlineData("$7$101$not base64!$AAAA")]
    [InlineData("$7$101$AAAA")]
    [InlineData("plain-text-password")]
    public void Anything_else_does_not_parse(string? text)
    {
        Assert.False(MosquittoPasswordHash.TryParse(text, out _));
    }
}
