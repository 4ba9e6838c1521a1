using Vitals.Gateway.Patients;
using Vitals.Gateway.Web.Access;

namespace Vitals.Gateway.Tests.Web;

public sealed class EnrolmentCodeTests
{
    [Fact]
    public void Codes_use_only_the_unambiguous_alphabet_and_read_back_however_typed()
    {
        var code = EnrolmentCode.Generate();

        Assert.Matches("^[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{4}$", code);
        Assert.Equal(code.Replace("-", "", StringComparison.Ordinal), EnrolmentCode.Normalize(" " + code.ToLowerInvariant().Replace("-", " - ", StringComparison.Ordinal)));
        Assert.Null(EnrolmentCode.Normalize("KXMT-4HR"));        // too short
        Assert.Null(EnrolmentCode.Normalize("KXMT-4HRCA"));      // too long
        Assert.Null(EnrolmentCode.Normalize("KXMT-0HRC"));       // 0 is not in the alphabet (O/0 look alike)
        Assert.NotEqual(EnrolmentCode.Hash("KXMT4HRC"), EnrolmentCode.Hash("KXMT4HRD"));
    }

    [Fact]
    public void The_admin_password_hash_is_salted_PBKDF2_SHA512_and_verifies_only_its_password()
    {
        var a = AdminPasswordHash.Create("correct horse battery", 1000);
        var b = AdminPasswordHash.Create("correct horse battery", 1000);

        Assert.StartsWith("pbkdf2-sha512$1000$", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.True(AdminPasswordHash.Verify("correct horse battery", a));
        Assert.False(AdminPasswordHash.Verify("correct horse batterY", a));
        Assert.False(AdminPasswordHash.Verify("x", "not-a-hash"));
        Assert.False(AdminPasswordHash.Verify("x", null));
        Assert.StartsWith($"pbkdf2-sha512${AdminPasswordHash.DefaultIterations}$", AdminPasswordHash.Create("y"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", false)]
    [InlineData("http://localhost:5080;http://[::1]:5080", false)]
    [InlineData("http://127.0.0.2:5080", false)]
    [InlineData("http://0.0.0.0:5080", true)]
    [InlineData("http://*:5080", true)]
    [InlineData("http://127.0.0.1:5080;http://192.168.1.20:5080", true)]
    [InlineData("http://hub.lan:5080", true)]
    public void A_login_is_needed_as_soon_as_one_listener_is_not_loopback(string urls, bool needed) =>
        Assert.Equal(needed, ListenerAddresses.NeedLogin(urls));
}
