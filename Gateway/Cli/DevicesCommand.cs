using System.Buffers.Text;
using System.Globalization;
using System.Text.RegularExpressions;
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
internal static partial class DevicesCommand
{
    private const string Help = """
        Usage: Vitals.Gateway devices <list | bindings | bind | unbind | pair | credentials | export-mosquitto> [options]

          list [--device <id>]                   one row per slot (device, user): its patient now and counts
          bindings [--device <id>]               the binding history: slot, patient, valid from, valid to
          bind --device <id> [--user <n>] --patient <ref> [--from <time>]
                                                 bind the device's slot to Patient/<id> or <system>|<value> from
                                                 <time> on (ISO 8601 with offset, e.g. 2026-11-25T08:00:00+01:00;
                                                 default: now). --user: the user index a multi-user cuff or scale
                                                 sends (0-254); without it, the slot of readings without one. A
                                                 current binding of the slot to another patient ends at <time>;
                                                 readings already filed never move. The slot's quarantined readings
                                                 taken from <time> on are released to the outbox
          unbind --device <id> [--user <n>]      end the binding of that user's slot, or of every slot (history
                                                 stays); later readings are quarantined
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
        var a = GatewayCommandLine.Parse(args, ["device", "patient", "passkey", "user", "from"], ["revoke"]);
        if (GatewayCommandLine.ShowHelpInstead(a, Help, out var sub, out var exit)) return exit;

        using var services = GatewayCommandLine.BuildCliServices();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var store = await services.OpenStoreAsync<IDeviceBindings>().ConfigureAwait(false);
        switch (sub)
        {
            case "list":
            {
                var table = new TextTable("DEVICE", "USER", "PATIENT", "BOUND FROM", "LAST SEEN", "READINGS", "QUARANTINED");
                foreach (var d in await store.ListDevicesAsync(a.Value("device"), CancellationToken.None).ConfigureAwait(false))
                    table.Add(d.DeviceId, d.User, d.Patient?.Text, d.BoundFrom, d.LastSeen, d.Readings, d.Quarantined);
                table.WriteTo(Console.Out, "no devices yet");
                return ExitCodes.Ok;
            }
            case "bindings":
            {
                var table = new TextTable("DEVICE", "USER", "PATIENT", "FROM", "TO");
                foreach (var b in await store.ListBindingsAsync(a.Value("device"), CancellationToken.None).ConfigureAwait(false))
                    table.Add(b.DeviceId, b.User, b.Patient.Text, b.From, b.To);
                table.WriteTo(Console.Out, "no bindings yet");
                return ExitCodes.Ok;
            }
            case "bind":
            {
                var device = RequireDevice(a);
                var patientText = a.Value("patient") ?? throw new UsageException("bind needs --patient <Patient/id or system|value>");
                if (!PatientId.TryParse(patientText, out var patient, out var error)) throw new UsageException($"--patient: {error}");
                var user = UserIndex(a);
                var from = From(a, now);
                int released;
                try
                {
                    released = await store.BindAsync(device, user, patient, from, CancellationToken.None).ConfigureAwait(false);
                }
                catch (BindingConflictException e)
                {
                    await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                Console.Out.WriteLine($"bound {device} {Slot(user)} to {patient} from {from:O}; {released} quarantined reading(s) released to the outbox");
                return ExitCodes.Ok;
            }
            case "unbind":
            {
                var device = RequireDevice(a);
                var user = UserIndex(a);
                if (!await store.UnbindAsync(device, user, now, CancellationToken.None).ConfigureAwait(false))
                {
                    await Console.Error.WriteLineAsync($"error: device {device} {(user is null ? "" : Slot(user) + " ")}is not bound").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
                Console.Out.WriteLine($"unbound {device} {(user is null ? "(every slot)" : Slot(user))}; its later readings will be quarantined");
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
                throw new UsageException($"unknown devices command '{sub}' (list, bindings, bind, unbind, pair, credentials)");
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

    private static string Slot(int? user) => user is { } u ? $"user {u.ToString(CultureInfo.InvariantCulture)}" : "(no user)";

    /// <summary>
    /// --user: a User ID of Blood Pressure Service 1.1 / Weight Scale Service 1.0 (0-254; 255 means "unknown user" and
    /// such readings belong to the slot without user index).
    /// </summary>
    private static int? UserIndex(CliArgs a)
    {
        if (a.Value("user") is not { } text) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 254
            ? n
            : throw new UsageException($"--user must be a user index 0-254, got '{text}'");
    }

    /// <summary>
    /// --from: ISO 8601 with an offset (a time without one would be guessed in some zone). Default: now, to the whole
    /// second, as device time stamps are (a reading stamped within the second of the bind belongs to it).
    /// </summary>
    private static DateTimeOffset From(CliArgs a, DateTimeOffset now)
    {
        if (a.Value("from") is not { } text)
            return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, now.Offset);
        if (!OffsetSuffix().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            throw new UsageException($"--from must be an ISO 8601 time with an offset (2026-11-25T08:00:00+01:00 or ...Z), got '{text}'");
        return from;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetSuffix();

    private static string RequireDevice(CliArgs a)
    {
        var device = a.Value("device") ?? throw new UsageException("--device <id> is required");
        if (!VitalsTopic.IsValidDeviceId(device))
            throw new UsageException($"--device: '{device}' is not a device id ([A-Za-z0-9._:-], 1-64 characters)");
        return device;
    }
}
