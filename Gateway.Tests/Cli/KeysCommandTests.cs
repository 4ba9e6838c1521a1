using System.Text.Json;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Tests.Delivery.Auth;

namespace Vitals.Gateway.Tests.Cli;

public sealed class KeysCommandTests : IDisposable
{
    private readonly TestKeys _dir = new();

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = KeysCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("ES384")]
    public void Generate_then_jwks_gives_a_jwks_that_verifies_the_generated_keys_signatures(string alg)
    {
        var path = Path.Combine(_dir.Directory, "gateway.pem");

        var generated = Run("generate", "--alg", alg, "--out", path);
        var jwks = Run("jwks", "--key", path);

        Assert.Equal(0, generated.Exit);
        Assert.Equal(0, jwks.Exit);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        var jwk = JsonDocument.Parse(jwks.Out).RootElement.GetProperty("keys").EnumerateArray().Single();
        Assert.Equal(alg, jwk.GetProperty("alg").GetString());
        Assert.Contains("kid " + jwk.GetProperty("kid").GetString(), generated.Out);
        Assert.DoesNotContain("PRIVATE", jwks.Out);

        Assert.True(SigningKey.TryLoad(path, null, null, out var key, out var error), error);
        using (key)
        {
            var assertion = ClientAssertion.Create(key, "c", "https://auth.example.org/token", DateTimeOffset.UtcNow);
            Assert.Null(new JwksVerifier(jwks.Out).Check(assertion, out _, out _));
        }
    }

    [Fact]
    public void An_existing_key_is_kept_unless_force_is_given()
    {
        var path = Path.Combine(_dir.Directory, "gateway.pem");
        Assert.Equal(0, Run("generate", "--alg", "ES384", "--out", path).Exit);
        var original = File.ReadAllText(path);

        var refused = Run("generate", "--alg", "ES384", "--out", path);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("--force", refused.Err);
        Assert.Equal(original, File.ReadAllText(path));

        Assert.Equal(0, Run("generate", "--alg", "RS384", "--out", path, "--force").Exit);
        Assert.NotEqual(original, File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_kid_given_to_generate_and_jwks_is_the_registered_kid()
    {
        var path = Path.Combine(_dir.Directory, "k.pem");
        Assert.Contains("kid prod-2026", Run("generate", "--alg", "ES384", "--out", path, "--kid", "prod-2026").Out);
        var jwk = JsonDocument.Parse(Run("jwks", "--key", path, "--kid", "prod-2026").Out).RootElement.GetProperty("keys")[0];
        Assert.Equal("prod-2026", jwk.GetProperty("kid").GetString());
    }

    [Fact]
    public void Bad_usage_and_bad_key_files_exit_2()
    {
        Assert.Throws<UsageException>(() => Run("generate", "--alg", "HS256", "--out", Path.Combine(_dir.Directory, "x.pem")));
        Assert.Throws<UsageException>(() => Run("generate", "--alg", "ES384"));
        Assert.Throws<UsageException>(() => Run("rotate"));
        var notAKey = _dir.WriteText("note.txt", "hello");
        var jwks = Run("jwks", "--key", notAKey);
        Assert.Equal(2, jwks.Exit);
        Assert.Contains("not a PEM file", jwks.Err);
        Assert.Equal(0, Run("--help").Exit);
        Assert.Equal(2, Run().Exit);
    }

    public void Dispose() => _dir.Dispose();
}
