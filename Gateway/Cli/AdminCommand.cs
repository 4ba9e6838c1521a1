using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Web.Access;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>admin set-password</c>: the password of the web pages' login (needed once <c>Web:Urls</c> listens beyond
/// loopback). Read from standard input, never from an argument (which other users see in the process list); stored
/// in the store as a salted PBKDF2-SHA512 hash (<see cref="AdminPasswordHash"/>).
/// </summary>
internal static class AdminCommand
{
    private const string Help = """
        Usage: Vitals.Gateway admin set-password

          set-password      read the web pages' admin password from standard input (first line; at least 12
                            characters) and store its salted PBKDF2-SHA512 hash; replaces any earlier password.
                            Example: read -rs pw && printf '%s\n' "$pw" | Vitals.Gateway admin set-password
        """;

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, GatewayCommandLine.LoadConfiguration(), Console.In, Console.Out, Console.Error);

    /// <summary>The command with its configuration and streams given (tests).</summary>
    internal static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var a = GatewayCommandLine.Parse(args, []);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;
        if (sub != "set-password") throw new UsageException($"unknown admin command '{sub}' (set-password)");
        if (a.Positionals.Count > 1) throw new UsageException("the password is read from standard input, not given as an argument");

        var password = (await stdin.ReadLineAsync().ConfigureAwait(false))?.TrimEnd('\r');
        if (password is null || password.Length < AdminPasswordHash.MinimumLength)
        {
            await stderr.WriteLineAsync($"error: the password on standard input must have at least {AdminPasswordHash.MinimumLength} characters").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        var services = new ServiceCollection();
        services.AddGatewayCore(configuration);
        await using var provider = services.BuildServiceProvider();
        var store = await provider.OpenStoreAsync<IAdminPassword>().ConfigureAwait(false);
        await store.SetHashAsync(AdminPasswordHash.Create(password), provider.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        await stdout.WriteLineAsync("admin password set; a running gateway asks for it at its next login").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
