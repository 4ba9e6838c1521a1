using System.Globalization;
using System.Text.RegularExpressions;
using Vitals.Devices;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>The simulator's command line, parsed and checked. <see cref="TryParse"/> never throws on user input.</summary>
public sealed partial record SimulatorOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>Devices per kind.</summary>
    public int Devices { get; init; } = 1;
    public IReadOnlyList<VitalKind> Kinds { get; init; } = VitalKindNames.All;
    /// <summary>Readings per second in total, spread over the devices; 0 = as fast as the in-flight limit allows.</summary>
    public double Rate { get; init; } = 10;
    /// <summary>Stop after this many messages; 0 = no limit.</summary>
    public long Count { get; init; }
    /// <summary>Stop after this long; null = no limit.</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>MQTT connections; devices are spread over them.</summary>
    public int Clients { get; init; } = 1;
    /// <summary>Fraction of messages that are malformed (0..1).</summary>
    public double Malformed { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Maximum unacknowledged QoS 1 publishes per client.</summary>
    public int Inflight { get; init; } = 100;
    public string IdPrefix { get; init; } = "sim";
    public bool Report { get; init; }
    public bool ListDevices { get; init; }
    public bool Help { get; init; }
    /// <summary>MQTT 5 (default) or 3.1.1.</summary>
    public bool Mqtt311 { get; init; }
    /// <summary>
    /// Behave like a device that keeps its unacknowledged readings: when the connection drops (the gateway restarts),
    /// reconnect and publish them again until a PUBACK comes. Without it a lost publish is counted as failed.
    /// </summary>
    public bool Retry { get; init; }
    /// <summary>Send good readings as raw GATT characteristic values, as a BLE-to-MQTT bridge would.</summary>
    public bool Gatt { get; init; }
    /// <summary>
    /// Per-device credentials (--credentials FILE or --password-for-all): each connection is one device and logs in
    /// as it (user name = device id), as the gateway's broker requires with Mqtt:Authentication. Null: no per-device
    /// credentials (--username/--password, or none).
    /// </summary>
    public IReadOnlyDictionary<string, string>? DevicePasswords { get; init; }
    public string? CredentialsFile { get; init; }
    public string? PasswordForAll { get; init; }

    /// <summary>The password the device logs in with, when the run has per-device credentials.</summary>
    public string? PasswordOf(string deviceId) =>
        PasswordForAll ?? (DevicePasswords is { } passwords && passwords.TryGetValue(deviceId, out var password) ? password : null);

    /// <summary>True when each connection is one device logging in as itself.</summary>
    public bool PerDeviceCredentials => PasswordForAll is not null || DevicePasswords is not null;

    public const string Usage = """
        usage: dotnet run --project simulators/DeviceSimulator -- [options]
          --host H            broker host (127.0.0.1)
          --port N            broker port (1883)
          --username U        MQTT user name      --password P   MQTT password
          --credentials FILE  per-device credentials, one 'deviceId password' a line: each connection is one
                              device and logs in as it, so --clients must equal the device count
          --password-for-all S  the same with one password for every device (user name = device id)
          --devices N         devices per kind (1)
          --kinds K,K,...     body-temperature,blood-pressure,body-weight,respiratory-rate,heart-rate,oxygen-saturation
                              (default: all six)
          --rate R            readings per second in total, spread over the devices (10; 0 = unpaced)
          --count C           stop after C messages (0 = no limit)
          --duration S        stop after S seconds (default: no limit; with neither, run until Ctrl-C)
          --clients K         MQTT connections, devices spread over them (1)
          --inflight N        maximum unacknowledged publishes per client (100)
          --malformed P       fraction of malformed messages, 0..1 (0)
          --seed S            random seed (1): same seed, same values
          --id-prefix P       device id prefix (sim): ids are {prefix}-{kind}-{n:0000}
          --mqtt 5|3.1.1      protocol version (5)
          --retry             on a lost connection, reconnect and resend every unacknowledged reading
                              until it is acknowledged (a device that keeps its readings)
          --gatt              send good readings as raw GATT values on vitals/{id}/gatt/{uuid}
                              (what a BLE-to-MQTT bridge publishes), encoded with Devices/Gatt; GATT time
                              stamps have whole seconds, so keep each device under one reading per second or
                              the gateway takes the same-second readings for resends
          --report            print a JSON summary on stdout at the end
          --list-devices      print the device ids and exit
        """;

    // The device id of the MQTT contract: [A-Za-z0-9._:-]{1,64}.
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex DeviceIdPattern();

    public static bool TryParse(IReadOnlyList<string> args, out SimulatorOptions options, out string error)
    {
        options = new SimulatorOptions();
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? Value()
            {
                if (i + 1 >= args.Count)
                {
                    return null;
                }
                return args[++i];
            }
            string? text;
            switch (name)
            {
                case "--help" or "-h":
                    options = options with { Help = true };
                    continue;
                case "--report":
                    options = options with { Report = true };
                    continue;
                case "--list-devices":
                    options = options with { ListDevices = true };
                    continue;
                case "--retry":
                    options = options with { Retry = true };
                    continue;
                case "--gatt":
                    options = options with { Gatt = true };
                    continue;
                case "--host" or "--username" or "--password" or "--credentials" or "--password-for-all" or "--id-prefix" or "--kinds" or "--mqtt"
                    or "--port" or "--devices" or "--clients" or "--inflight" or "--seed"
                    or "--rate" or "--malformed" or "--duration" or "--count":
                    text = Value();
                    if (text is null)
                    {
                        error = $"{name} needs a value";
                        return false;
                    }
                    break;
                default:
                    error = $"unknown option '{name}' (see --help)";
                    return false;
            }

            switch (name)
            {
                case "--host":
                    options = options with { Host = text };
                    break;
                case "--username":
                    options = options with { Username = text };
                    break;
                case "--password":
                    options = options with { Password = text };
                    break;
                case "--credentials":
                    if (!TryReadCredentials(text, out var passwords, out error))
                    {
                        return false;
                    }
                    options = options with { CredentialsFile = text, DevicePasswords = passwords };
                    break;
                case "--password-for-all":
                    if (text.Length == 0)
                    {
                        error = "--password-for-all must not be empty";
                        return false;
                    }
                    options = options with { PasswordForAll = text };
                    break;
                case "--id-prefix":
                    options = options with { IdPrefix = text };
                    break;
                case "--mqtt":
                    if (text is not ("5" or "5.0" or "3.1.1"))
                    {
                        error = "--mqtt must be 5 or 3.1.1";
                        return false;
                    }
                    options = options with { Mqtt311 = text == "3.1.1" };
                    break;
                case "--kinds":
                    var kinds = new List<VitalKind>();
                    foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!VitalKindNames.TryParse(part, out var kind))
                        {
                            error = $"--kinds: unknown kind '{part}' (kinds: {string.Join(",", VitalKindNames.All.Select(k => k.ToTopicName()))})";
                            return false;
                        }
                        if (!kinds.Contains(kind))
                        {
                            kinds.Add(kind);
                        }
                    }
                    if (kinds.Count == 0)
                    {
                        error = "--kinds needs at least one kind";
                        return false;
                    }
                    options = options with { Kinds = kinds };
                    break;
                case "--port":
                    if (!TryInt(name, text, 1, 65535, out var port, out error))
                    {
                        return false;
                    }
                    options = options with { Port = port };
                    break;
                case "--devices":
                    if (!TryInt(name, text, 1, 9999, out var devices, out error))
                    {
                        return false;
                    }
                    options = options with { Devices = devices };
                    break;
                case "--clients":
                    if (!TryInt(name, text, 1, 10000, out var clients, out error))
                    {
                        return false;
                    }
                    options = options with { Clients = clients };
                    break;
                case "--inflight":
                    // QoS 1 packet identifiers are 16-bit: a client cannot have more unacknowledged publishes.
                    if (!TryInt(name, text, 1, 65535, out var inflight, out error))
                    {
                        return false;
                    }
                    options = options with { Inflight = inflight };
                    break;
                case "--seed":
                    if (!TryInt(name, text, int.MinValue, int.MaxValue, out var seed, out error))
                    {
                        return false;
                    }
                    options = options with { Seed = seed };
                    break;
                case "--count":
                    if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                    {
                        error = $"{name} must be a whole number >= 0, got '{text}'";
                        return false;
                    }
                    options = options with { Count = count };
                    break;
                case "--rate":
                    if (!TryDouble(name, text, 0, 1_000_000, out var rate, out error))
                    {
                        return false;
                    }
                    options = options with { Rate = rate };
                    break;
                case "--malformed":
                    if (!TryDouble(name, text, 0, 1, out var malformed, out error))
                    {
                        return false;
                    }
                    options = options with { Malformed = malformed };
                    break;
                case "--duration":
                    if (!TryDouble(name, text, 0, 31 * 24 * 3600, out var seconds, out error) || seconds == 0)
                    {
                        error = error.Length > 0 ? error : "--duration must be > 0 seconds";
                        return false;
                    }
                    options = options with { Duration = TimeSpan.FromSeconds(seconds) };
                    break;
            }
        }

        var longestId = SimulatedDevice.IdFor(options.IdPrefix, options.Kinds.MaxBy(k => k.ToTopicName().Length), options.Devices);
        if (options.IdPrefix.Length == 0 || !DeviceIdPattern().IsMatch(longestId))
        {
            error = $"--id-prefix '{options.IdPrefix}' gives device ids such as '{longestId}' that break the contract's [A-Za-z0-9._:-]{{1,64}}";
            return false;
        }
        var deviceCount = options.Devices * options.Kinds.Count;
        if (options.Clients > deviceCount)
        {
            error = $"--clients {options.Clients} is more than the {deviceCount} devices";
            return false;
        }
        if (options.PerDeviceCredentials && !TryCheckPerDeviceCredentials(options, deviceCount, out error))
        {
            return false;
        }
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            error = "--host must not be empty";
            return false;
        }
        return true;
    }

    private static bool TryCheckPerDeviceCredentials(SimulatorOptions options, int deviceCount, out string error)
    {
        var option = options.CredentialsFile is not null ? "--credentials" : "--password-for-all";
        if (options.CredentialsFile is not null && options.PasswordForAll is not null)
        {
            error = "--credentials and --password-for-all are two ways to give the same passwords: use one";
            return false;
        }
        if (options.Username is not null || options.Password is not null)
        {
            error = $"{option} logs each device in as itself: it cannot be combined with --username/--password";
            return false;
        }
        // The broker lets a device publish only under its own id, and a connection logs in as one user: a connection
        // shared by several devices would have all but one refused.
        if (options.Clients != deviceCount)
        {
            error = $"{option} needs one connection per device (the device is the user name): --clients {options.Clients} must equal the {deviceCount} devices";
            return false;
        }
        if (options.DevicePasswords is { } passwords)
        {
            var missing = DeviceFleet.Create(options.IdPrefix, options.Kinds, options.Devices).Where(d => !passwords.ContainsKey(d.Id)).Select(d => d.Id).ToList();
            if (missing.Count > 0)
            {
                error = $"--credentials '{options.CredentialsFile}' has no password for {missing.Count} of the {deviceCount} devices (first: {missing[0]})";
                return false;
            }
        }
        error = "";
        return true;
    }

    /// <summary>Reads 'deviceId password' lines; blank lines and lines starting with '#' are skipped.</summary>
    private static bool TryReadCredentials(string path, out IReadOnlyDictionary<string, string> passwords, out string error)
    {
        var read = new Dictionary<string, string>(StringComparer.Ordinal);
        passwords = read;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"--credentials: cannot read '{path}': {ex.Message}";
            return false;
        }
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !DeviceIdPattern().IsMatch(parts[0]))
            {
                error = $"--credentials '{path}' line {n + 1}: expected 'deviceId password'";
                return false;
            }
            if (!read.TryAdd(parts[0], parts[1]))
            {
                error = $"--credentials '{path}' line {n + 1}: device {parts[0]} is listed twice";
                return false;
            }
        }
        error = "";
        return true;
    }

    private static bool TryInt(string name, string text, int min, int max, out int value, out string error)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            error = $"{name} must be a whole number within {min}..{max}, got '{text}'";
            return false;
        }
        error = "";
        return true;
    }

    private static bool TryDouble(string name, string text, double min, double max, out double value, out string error)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || double.IsNaN(value) || value < min || value > max)
        {
            error = $"{name} must be a number within {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}, got '{text}'";
            return false;
        }
        error = "";
        return true;
    }
}
