using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Checks <see cref="BleOptions"/> at start-up; each failure names its key (README "Configuration").</summary>
public sealed partial class BleOptionsValidator : IValidateOptions<BleOptions>
{
    private const string Section = BleOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, BleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!AdapterName().IsMatch(options.Adapter ?? ""))
        {
            failures.Add($"{Section}:{nameof(BleOptions.Adapter)} '{options.Adapter}' is not an adapter name such as hci0");
        }
        // A D-Bus address is transport:key=value[,key=value][;...] (D-Bus specification, "Server Addresses").
        if (!string.IsNullOrWhiteSpace(options.DBusAddress) && !DBusAddress().IsMatch(options.DBusAddress.Trim()))
        {
            failures.Add($"{Section}:{nameof(BleOptions.DBusAddress)} '{options.DBusAddress}' is not a D-Bus address such as unix:path=/run/dbus/system_bus_socket (empty: the system bus)");
        }
        Positive(failures, nameof(BleOptions.CallTimeout), options.CallTimeout);
        Positive(failures, nameof(BleOptions.ConnectTimeout), options.ConnectTimeout);
        Positive(failures, nameof(BleOptions.ReconnectBaseDelay), options.ReconnectBaseDelay);
        Positive(failures, nameof(BleOptions.BindingPollInterval), options.BindingPollInterval);
        Positive(failures, nameof(BleOptions.StoredRecordsTimeout), options.StoredRecordsTimeout);
        if (options.HeartRateInterval < Vitals.Devices.ReadingIdentity.ResendWindow || options.HeartRateInterval > TimeSpan.FromHours(1))
        {
            failures.Add(Invariant($"{Section}:{nameof(BleOptions.HeartRateInterval)} must be between 00:01:00 and 01:00:00 (got {options.HeartRateInterval}): two summaries in one UTC minute would share an identity"));
        }
        if (options.ReconnectMaxDelay < options.ReconnectBaseDelay)
        {
            failures.Add(Invariant($"{Section}:{nameof(BleOptions.ReconnectMaxDelay)} ({options.ReconnectMaxDelay}) must not be below {Section}:{nameof(BleOptions.ReconnectBaseDelay)} ({options.ReconnectBaseDelay})"));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"{Section}:{key} must be positive (got {value})"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^hci[0-9]{1,3}$")]
    private static partial Regex AdapterName();

    [GeneratedRegex("^[a-z-]+:([A-Za-z0-9_-]+=[^,;]*)?(,[A-Za-z0-9_-]+=[^,;]*)*(;[a-z-]+:([A-Za-z0-9_-]+=[^,;]*)?(,[A-Za-z0-9_-]+=[^,;]*)*)*;?$")]
    private static partial Regex DBusAddress();
}
