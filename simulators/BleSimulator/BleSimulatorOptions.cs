using System.Globalization;

namespace Vitals.Simulators.BleSimulator;

/// <summary>The command line (README.md of the simulator).</summary>
internal sealed class BleSimulatorOptions
{
    public const string Usage = """
        ble-simulator: serves org.bluez (BlueZ 5.66's D-Bus API) with simulated health devices on a D-Bus bus.
          --bus <address>        D-Bus address to serve org.bluez on (required), e.g. unix:path=/tmp/bus
          --control-port <N>     loopback HTTP control port (0 = any free port; printed in the ready line)
          --devices <N>          simulated devices (default 4): thermometer, blood-pressure, scale, respiratory, ...
          --interval <seconds>   each device in range takes a reading every N seconds (default 5; 0 = only on command)
          --seed <n>             value randomness (default 1)
          --passkey <6 digits>   the passkey every device displays (default 123456)
          --adapter <name>       adapter name (default hci0)
          --temporary-timeout <seconds>
                                 a device neither bonded nor connected is removed (InterfacesRemoved) this long after
                                 it was last seen advertising, as BlueZ's main.conf TemporaryTimeout (default 30)
        Ready line on stdout: ble-simulator ready bus=<address> control=http://127.0.0.1:<port>/
        """;

    public string Bus { get; private set; } = "";

    public int ControlPort { get; private set; }

    public int Devices { get; private set; } = 4;

    public TimeSpan Interval { get; private set; } = TimeSpan.FromSeconds(5);

    public int Seed { get; private set; } = 1;

    public string Passkey { get; private set; } = "123456";

    public string Adapter { get; private set; } = "hci0";

    /// <summary>BlueZ main.conf [General] TemporaryTimeout: how long an unbonded, unconnected device outlives its last advertisement.</summary>
    public TimeSpan TemporaryTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    public bool Help { get; private set; }

    public static bool TryParse(IReadOnlyList<string> args, out BleSimulatorOptions options, out string error)
    {
        options = new BleSimulatorOptions();
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                options.Help = true;
                return true;
            }
            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value (or unknown option); --help lists the options";
                return false;
            }
            var value = args[++i];
            switch (name)
            {
                case "--bus" when value.Length > 0:
                    options.Bus = value;
                    break;
                case "--control-port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535:
                    options.ControlPort = port;
                    break;
                case "--devices" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 4096:
                    options.Devices = n;
                    break;
                case "--interval" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) && s <= 86_400:
                    options.Interval = TimeSpan.FromSeconds(s);
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed):
                    options.Seed = seed;
                    break;
                case "--passkey" when value.Length == 6 && value.All(char.IsAsciiDigit):
                    options.Passkey = value;
                    break;
                case "--adapter" when value.Length is > 0 and <= 32 && value.All(char.IsAsciiLetterOrDigit):
                    options.Adapter = value;
                    break;
                case "--temporary-timeout" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var t) && t is > 0 and <= 86_400:
                    options.TemporaryTimeout = TimeSpan.FromSeconds(t);
                    break;
                case "--bus" or "--control-port" or "--devices" or "--interval" or "--seed" or "--passkey" or "--adapter" or "--temporary-timeout":
                    error = $"{name}: invalid value '{value}'";
                    return false;
                default:
                    error = $"unknown option {name}; --help lists the options";
                    return false;
            }
        }
        if (options.Bus.Length == 0)
        {
            error = "--bus <address> is required (e.g. the address dbus-daemon --print-address printed)";
            return false;
        }
        return true;
    }
}
