using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>patients enrol --patient &lt;ref&gt;</c>: checks with the EHR that the patient exists (the delivery's client and
/// authentication) and prints a one-time enrolment code for the pairing page, valid 72 hours. Only its hash is kept.
/// </summary>
internal static class PatientsCommand
{
    private const string Help = """
        Usage: Vitals.Gateway patients enrol --patient <Patient/<id> | <system>|<value>>

          enrol     check that the EHR knows the patient (FHIR read, or search by identifier) and print a one-time
                    code (e.g. KXMT-4HRC) the patient types on the pairing page; it expires after 72 hours
        """;

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, GatewayCommandLine.LoadConfiguration(), Console.Out, Console.Error);

    /// <summary>The command with its configuration and streams given (tests).</summary>
    internal static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        var a = GatewayCommandLine.Parse(args, ["patient"]);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;
        if (sub != "enrol") throw new UsageException($"unknown patients command '{sub}' (enrol)");
        var text = a.Value("patient") ?? throw new UsageException("enrol needs --patient <Patient/id or system|value>");
        if (!PatientId.TryParse(text, out var patient, out var error)) throw new UsageException($"--patient: {error}");

        var services = new ServiceCollection();
        services.AddGatewayCore(configuration);
        services.AddEhrDelivery(configuration);
        await using var provider = services.BuildServiceProvider();
        var codes = await provider.OpenStoreAsync<IEnrolmentCodes>().ConfigureAwait(false);
        var found = await provider.GetRequiredService<EhrPatientLookup>().FindAsync(patient, CancellationToken.None).ConfigureAwait(false);
        switch (found.Outcome)
        {
            case PatientLookupOutcome.Unknown:
                await stderr.WriteLineAsync($"error: no code issued: {found.Reason}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            case PatientLookupOutcome.Unreachable:
                await stderr.WriteLineAsync($"error: no code issued: the EHR could not confirm the patient ({found.Reason}); try again when it answers").ConfigureAwait(false);
                return ExitCodes.RuntimeFailure;
        }
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        var code = EnrolmentCode.Generate();
        var expires = now + EnrolmentCode.Lifetime;
        await codes.AddAsync(EnrolmentCode.Hash(EnrolmentCode.Normalize(code)!), patient, now, expires, CancellationToken.None).ConfigureAwait(false);
        await stdout.WriteLineAsync(code).ConfigureAwait(false);
        await stderr.WriteLineAsync($"enrolment code for {patient.Text}; works once, until {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC, on the pairing page (/pair)").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
