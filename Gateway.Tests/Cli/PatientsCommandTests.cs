using Microsoft.Extensions.Configuration;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Cli;

/// <summary><c>patients enrol</c> against the sandbox EHR: a code only for a patient the EHR confirms.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PatientsCommandTests : IClassFixture<SandboxEhrFixture>, IDisposable
{
    private readonly SandboxEhrFixture _sandbox;
    private readonly TempStore _temp = new();

    public PatientsCommandTests(SandboxEhrFixture sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task A_patient_the_EHR_knows_by_id_or_identifier_gets_a_one_time_code_stored_as_a_hash()
    {
        var id = await SandboxPatients.CreateAsync(_sandbox.Ehr, "Grace", "Enrolled", "1948-07-01", identifier: "mrn-" + Guid.NewGuid().ToString("N")[..8]);
        var mrn = (await _sandbox.Ehr.SearchAsync($"Patient?_id={id}")).RootElement.GetProperty("entry")[0].GetProperty("resource").GetProperty("identifier")[0].GetProperty("value").GetString();

        var (byId, code, _) = await EnrolAsync(_sandbox.Ehr.BaseUrlText, $"Patient/{id}");
        var (byIdentifier, code2, _) = await EnrolAsync(_sandbox.Ehr.BaseUrlText, $"https://clinic.example/mrn|{mrn}");

        Assert.Equal(ExitCodes.Ok, byId);
        Assert.Equal(ExitCodes.Ok, byIdentifier);
        Assert.Matches("^[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{4}$", code);
        Assert.NotEqual(code, code2);
        var store = await _temp.OpenAsync();
        var record = await store.EnrolmentCodes.FindAsync(EnrolmentCode.Hash(EnrolmentCode.Normalize(code)!), CancellationToken.None);
        Assert.Equal($"Patient/{id}", record!.Patient.Text);
        Assert.Equal(EnrolmentCode.Lifetime, record.ExpiresAt - record.CreatedAt);
        Assert.Equal(0, _temp.Sql($"SELECT count(*) FROM enrolment_codes WHERE code_hash LIKE '%{EnrolmentCode.Normalize(code)}%'"));
    }

    [Fact]
    public async Task A_patient_the_EHR_does_not_know_gets_no_code()
    {
        var (exit, stdout, stderr) = await EnrolAsync(_sandbox.Ehr.BaseUrlText, "Patient/nobody-" + Guid.NewGuid().ToString("N")[..8]);
        var (byIdentifier, _, stderr2) = await EnrolAsync(_sandbox.Ehr.BaseUrlText, "https://clinic.example/mrn|no-such-mrn");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Contains("no code issued: the EHR has no such patient", stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, byIdentifier);
        Assert.Contains("no patient with that identifier", stderr2, StringComparison.Ordinal);
        Assert.Equal(0, _temp.Sql("SELECT count(*) FROM enrolment_codes"));
    }

    [Fact]
    public async Task No_code_is_issued_while_the_EHR_is_unreachable()
    {
        var (exit, stdout, stderr) = await EnrolAsync($"http://127.0.0.1:{FreePort.Next()}/fhir/R4", "Patient/123");

        Assert.Equal(ExitCodes.RuntimeFailure, exit);
        Assert.Equal("", stdout);
        Assert.Contains("the EHR could not confirm the patient", stderr, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Stdout, string Stderr)> EnrolAsync(string ehr, string patient)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = _temp.DatabasePath,
            ["Ehr:BaseUrl"] = ehr,
            ["Ehr:Timeout"] = "00:00:05",
        }).Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await PatientsCommand.RunAsync(["enrol", "--patient", patient], config, stdout, stderr);
        return (exit, stdout.ToString().Trim(), stderr.ToString());
    }

    public void Dispose() => _temp.Dispose();
}
