using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>A BLE device id is its Bluetooth address, upper case, colon-separated (README "Configuration").</summary>
public static partial class BleAddress
{
    public static bool IsAddress([NotNullWhen(true)] string? deviceId) => deviceId is not null && Pattern().IsMatch(deviceId);

    /// <summary>Accepts any case and <c>-</c> or <c>_</c> separators; returns the canonical form.</summary>
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? address)
    {
        address = text?.Trim().Replace('-', ':').Replace('_', ':').ToUpperInvariant();
        if (IsAddress(address)) return true;
        address = null;
        return false;
    }

    [GeneratedRegex("^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")]
    private static partial Regex Pattern();
}
