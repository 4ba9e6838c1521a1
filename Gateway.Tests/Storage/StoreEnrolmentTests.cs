using Vitals.Gateway.Patients;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Web.Access;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>Enrolment codes (hash only, once, until expiry) and the admin password hash, on both providers.</summary>
public abstract class StoreEnrolmentTests : IDisposable
{
    private readonly TempStore _temp;

    private protected StoreEnrolmentTests(TempStore temp)
    {
        _temp = temp;
    }

    [Fact]
    public async Task A_code_is_stored_as_a_hash_and_redeems_once_before_it_expires()
    {
        var store = await _temp.OpenAsync();
        var patient = PatientId.Parse("Patient/enrol-1");
        var now = _temp.Clock.GetUtcNow();
        var code = EnrolmentCode.Normalize(EnrolmentCode.Generate())!;
        await store.EnrolmentCodes.AddAsync(EnrolmentCode.Hash(code), patient, now, now + EnrolmentCode.Lifetime, CancellationToken.None);

        Assert.Equal(0, _temp.Sql($"SELECT count(*) FROM enrolment_codes WHERE code_hash = '{code}' OR patient = '{code}'"));
        var found = await store.EnrolmentCodes.FindAsync(EnrolmentCode.Hash(code), CancellationToken.None);
        Assert.Equal(patient, found!.Patient);
        Assert.Null(found.UsedAt);
        Assert.Null(await store.EnrolmentCodes.FindAsync(EnrolmentCode.Hash("ACDEFGHJ"), CancellationToken.None));

        Assert.Equal(patient, await store.EnrolmentCodes.RedeemAsync(EnrolmentCode.Hash(code), now, CancellationToken.None));
        Assert.Null(await store.EnrolmentCodes.RedeemAsync(EnrolmentCode.Hash(code), now, CancellationToken.None));
        Assert.NotNull((await store.EnrolmentCodes.FindAsync(EnrolmentCode.Hash(code), CancellationToken.None))!.UsedAt);
    }

    [Fact]
    public async Task A_code_does_not_redeem_from_the_moment_it_expires()
    {
        var store = await _temp.OpenAsync();
        var now = _temp.Clock.GetUtcNow();
        await store.EnrolmentCodes.AddAsync(EnrolmentCode.Hash("KXMT4HRC"), PatientId.Parse("https://example.org/mrn|42"), now, now + EnrolmentCode.Lifetime, CancellationToken.None);

        Assert.Null(await store.EnrolmentCodes.RedeemAsync(EnrolmentCode.Hash("KXMT4HRC"), now + EnrolmentCode.Lifetime, CancellationToken.None));
        Assert.Equal("https://example.org/mrn|42",
            (await store.EnrolmentCodes.RedeemAsync(EnrolmentCode.Hash("KXMT4HRC"), now + EnrolmentCode.Lifetime - TimeSpan.FromSeconds(1), CancellationToken.None))!.Text);
    }

    [Fact]
    public async Task The_admin_password_hash_is_absent_until_set_and_a_new_one_replaces_it()
    {
        var cli = (await _temp.OpenAsync()).AdminPassword;
        var gateway = (await _temp.OpenAsync()).AdminPassword;

        Assert.Null(await gateway.GetHashAsync(CancellationToken.None));
        await cli.SetHashAsync(AdminPasswordHash.Create("first password!", 1000), _temp.Clock.GetUtcNow(), CancellationToken.None);
        await cli.SetHashAsync(AdminPasswordHash.Create("second password", 1000), _temp.Clock.GetUtcNow(), CancellationToken.None);

        var stored = await gateway.GetHashAsync(CancellationToken.None);
        Assert.True(AdminPasswordHash.Verify("second password", stored));
        Assert.False(AdminPasswordHash.Verify("first password!", stored));
        Assert.Equal(1, _temp.Sql("SELECT count(*) FROM web_admin"));
    }

    public void Dispose() => _temp.Dispose();
}
