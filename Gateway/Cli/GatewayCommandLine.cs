using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary>
/// One executable, several verbs (README "Command line"). <c>run</c> is the default. Every verb reads the same
/// configuration (appsettings.json beside the binary, then environment variables such as <c>Storage__Path</c>), so the
/// CLI looks at the store a gateway started with the same settings uses.
/// </summary>
public static class GatewayCommandLine
{
    internal const string Usage = """
        Vitals Gateway: vital-sign readings from MQTT and Bluetooth LE devices to a FHIR R4 EHR.

        Usage: Vitals.Gateway [command] [options]

        Commands:
          run                     the worker, the web page and the embedded broker (default)
          decode                  show the FHIR resources one payload would produce
          devices list|bind|unbind|pair|credentials|export-mosquitto
                                  device -> patient bindings; Bluetooth LE pairing passkeys; MQTT credentials
          quarantine list|release readings from devices not yet bound
          rejected list           messages that could not become readings, with the reason
          outbox status|dead|replay|purge
                                  what waits for the EHR, and what it refused
          keys generate|jwks      the SMART Backend Services key pair and the public JWKS for the EHR
          patients enrol          a one-time code for a patient to pair devices on the pairing page
          admin set-password      the web pages' admin password (needed when Web:Urls listens beyond loopback)

        Run 'Vitals.Gateway <command> --help' for a command's options.
        Configuration: appsettings.json (beside the binary, or in the folder VITALS_GATEWAY_CONFIG_DIR names),
        overridden by environment variables (Ehr__BaseUrl=...) or, for run, by --Key=value arguments (--Ehr:BaseUrl=...).
        Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        if (verb == "run" && rest.Length == 1 && rest[0] is "--help" or "-h") verb = "help";
        try
        {
            return verb switch
            {
                "run" => await GatewayHost.RunAsync(rest).ConfigureAwait(false),
                "help" => PrintUsage(),
                "decode" => await DecodeCommand.RunAsync(rest).ConfigureAwait(false),
                "devices" => await DevicesCommand.RunAsync(rest).ConfigureAwait(false),
                "quarantine" => await QuarantineCommand.RunAsync(rest).ConfigureAwait(false),
                "rejected" => await RejectedCommand.RunAsync(rest).ConfigureAwait(false),
                "outbox" => await OutboxCommand.RunAsync(rest).ConfigureAwait(false),
                "keys" => await KeysCommand.RunAsync(rest).ConfigureAwait(false),
                "store" => await StoreCommand.RunAsync(rest).ConfigureAwait(false),
                "patients" => await PatientsCommand.RunAsync(rest).ConfigureAwait(false),
                "admin" => await AdminCommand.RunAsync(rest).ConfigureAwait(false),
                _ => throw new UsageException($"unknown command '{verb}'; run with --help for the list"),
            };
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"error: invalid configuration: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }
    }

    private static int PrintUsage()
    {
        Console.Out.WriteLine(Usage);
        return ExitCodes.Ok;
    }

    /// <summary>The environment variable naming the folder of appsettings.json (the .deb: <c>/etc/vitals-gateway</c>).</summary>
    internal const string ConfigurationFolderVariable = "VITALS_GATEWAY_CONFIG_DIR";

    /// <summary>
    /// Where appsettings.json is read from: the folder <see cref="ConfigurationFolderVariable"/> names, else beside the
    /// binary. An installed gateway keeps its configuration in /etc, apart from the binaries a package upgrade replaces;
    /// the systemd unit and the /usr/bin wrapper both set the variable, so the service and the CLI read the same file.
    /// </summary>
    internal static string ConfigurationFolder =>
        Environment.GetEnvironmentVariable(ConfigurationFolderVariable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : AppContext.BaseDirectory;

    /// <summary>The configuration every verb reads: appsettings.json (<see cref="ConfigurationFolder"/>), then the environment.</summary>
    internal static IConfiguration LoadConfiguration() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(ConfigurationFolder, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>The services a CLI verb needs (store, decoder, mapper), without the worker's hosted services.</summary>
    internal static ServiceProvider BuildCliServices()
    {
        var services = new ServiceCollection();
        services.AddGatewayCore(LoadConfiguration());
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// One of the shared store's interfaces, the store created or migrated first if needed (the store's contract:
    /// initialise before any use).
    /// </summary>
    internal static async Task<T> OpenStoreAsync<T>(this IServiceProvider services) where T : notnull
    {
        await services.GetRequiredService<IStoreInitializer>().InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        return services.GetRequiredService<T>();
    }

    /// <summary>
    /// For verbs with sub-commands: prints the verb's help when asked (exit 0) or when no sub-command was given
    /// (exit 2). False when there is a sub-command to run.
    /// </summary>
    internal static bool ShowHelpInstead(CliArgs args, string help, out string subcommand, out int exitCode)
    {
        subcommand = args.Positionals.Count > 0 ? args.Positionals[0] : "";
        if (!args.Help && subcommand.Length > 0)
        {
            exitCode = ExitCodes.Ok;
            return false;
        }
        Console.Out.WriteLine(help);
        exitCode = args.Help ? ExitCodes.Ok : ExitCodes.BadInput;
        return true;
    }

    /// <summary>Parses a verb's arguments or throws <see cref="UsageException"/>.</summary>
    internal static CliArgs Parse(IReadOnlyList<string> args, string[] valueOptions, string[]? flags = null)
    {
        if (!CliArgs.TryParse(args, valueOptions, flags ?? [], out var parsed, out var error))
            throw new UsageException(error);
        return parsed;
    }
}
