using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>devices list|bind|unbind|pair|credentials|export-mosquitto</c>: which patient a device's readings belong to (never guessed), and
/// what a device proves at MQTT CONNECT.
/// </summary>
internal static class DevicesCommand
{
    private const string Help = """
        Usage: Vitals.Gateway devices <list | bind | unbind | pair | credentials | export-mosquitto> [options]

          list                                   devices seen or bound, with their patient and counts
          bind --device <id> --patient <ref>     bind a device to Patient/<id> or <system>|<value>;
                                                 its quarantined readings are released to the outbox
          unbind --device <id>                   end the binding (history stays); later readings are quarantined
          pair <address> --passkey <NNNNNN>      the passkey a Bluetooth LE device displays; the running gateway
                                                 pairs with it on its next connection attempt (bind it too)
          credentials --device <id> [--revoke]   issue or rotate the device's MQTT user name and password for the
                                                 embedded broker, printed once (only a salted hash is stored; the old
                                                 password stops working); --revoke removes them
          export-mosquitto --passwords <file> --acl <file>
                                                 mosquitto's password and ACL files from the registry (External mode;
                                                 see `devices export-mosquitto --help`)
        """;

    /// <summary>A device secret: 32 random bytes (256 bits), nothing to guess.</summary>
    private const int SecretBytes = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["export-mosquitto", .. var exportArgs]) return await ExportMosquittoCommand.RunAsync(exportArgs).ConfigureAwait(false);
        var a = GatewayCommandLine.Parse(args, ["device", "patient", "passkey"], ["revoke"]);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;

        using var services = GatewayCommandLine.BuildCliServices();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var store = await services.OpenStoreAsync<IDeviceBindings>().ConfigureAwait(false);
        switch (sub)
        {
            case "list":
            {
                var table = new TextTable("DEVICE", "PATIENT", "BOUND AT", "LAST SEEN", "READINGS", "QUARANTINED");
                foreach (var d in await store.ListDevicesAsync(CancellationToken.None).ConfigureAwait(false))
                    table.Add(d.DeviceId, d.Patient?.Text, d.BoundAt, d.LastSeen, d.Readings, d.Quarantined);
                table.WriteTo(Console.Out, "no devices yet");
                return ExitCodes.Ok;
            }
            case "bind":
            {
                var device = RequireDevice(a);
                var patientText = a.Value("patient") ?? throw new UsageException("bind needs --patient <Patient/id or system|value>");
                if (!PatientId.TryParse(patientText, out var patient, out var error)) throw new UsageException($"--patient: {error}");
                var released = await store.BindAsync(device, patient, now, CancellationToken.None).ConfigureAwait(false);
                Console.Out.WriteLine($"bound {device} to {patient}; {released} quarantined reading(s) released to the outbox");
                return ExitCodes.Ok;
            }
            case "unbind":
            {
                var device = RequireDevice(a);
                if (!await store.UnbindAsync(device, now, CancellationToken.None).ConfigureAwait(false))
                {
                    await Console.Error.WriteLineAsync($"error: device {device} is not bound").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                Console.Out.WriteLine($"unbound {device}; its later readings will be quarantined");
                return ExitCodes.Ok;
            }
            case "pair":
            {
                if (a.Positionals.Count != 2 || !BleAddress.TryNormalize(a.Positionals[1], out var address))
                    throw new UsageException("pair needs the device's Bluetooth address: devices pair AA:BB:CC:DD:EE:FF --passkey NNNNNN");
                if (!Passkey.TryParse(a.Value("passkey"), out var passkey))
                    throw new UsageException("--passkey must be the 6 digits the device displays");
                await services.GetRequiredService<IPendingPairings>().SetAsync(address, passkey, now, CancellationToken.None).ConfigureAwait(false);
                // The passkey itself is never echoed (it stays on the screen of whoever typed it).
                Console.Out.WriteLine($"passkey stored for {address}; the gateway pairs on its next connection attempt (the device must be bound: devices bind --device {address} ...)");
                return ExitCodes.Ok;
            }
            case "credentials":
                return await CredentialsAsync(services, RequireDevice(a), a.Flag("revoke"), now).ConfigureAwait(false);
            default:
                throw new UsageException($"unknown devices command '{sub}' (list, bind, unbind, pair, credentials)");
        }
    }

    private static async Task<int> CredentialsAsync(IServiceProvider services, string device, bool revoke, DateTimeOffset now)
    {
        var credentials = await services.OpenStoreAsync<IDeviceCredentials>().ConfigureAwait(false);
        if (revoke)
        {
            if (!await credentials.RevokeAsync(device, CancellationToken.None).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"error: device {device} has no credentials").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            Console.Out.WriteLine($"revoked the credentials of {device}; its next CONNECT is refused");
            return ExitCodes.Ok;
        }
        var mqtt = services.GetRequiredService<IOptions<MqttOptions>>().Value;
        // The broker checks a user name against the operators first: such device credentials would never be used.
        if (mqtt.Operators.Any(o => o.Username == device))
            throw new UsageException($"--device: '{device}' is an operator's user name (Mqtt:Operators)");
        var iterations = mqtt.CredentialIterations;
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        var hash = MosquittoPasswordHash.Create(secret, iterations);
        await credentials.SetAsync(device, hash.ToString(), now, CancellationToken.None).ConfigureAwait(false);
        // The only time the secret exists outside the device: the store keeps the salted hash alone.
        Console.Out.WriteLine($"username: {device}");
        Console.Out.WriteLine($"password: {secret}");
        await Console.Error.WriteLineAsync("shown once; any earlier password of this device no longer works").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static string RequireDevice(CliArgs a)
    {
        var device = a.Value("device") ?? throw new UsageException("--device <id> is required");
        if (!VitalsTopic.IsValidDeviceId(device))
            throw new UsageException($"--device: '{device}' is not a device id ([A-Za-z0-9._:-], 1-64 characters)");
        return device;
    }
}
