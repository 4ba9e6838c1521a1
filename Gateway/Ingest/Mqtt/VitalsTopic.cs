using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Vitals.Devices;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// An MQTT topic of the contract (README "MQTT contract"): <c>vitals/{deviceId}/{kind}</c> carries a JSON reading,
/// <c>vitals/{deviceId}/gatt/{uuid}</c> a raw GATT characteristic value. <see cref="GattUuid"/> is set for the
/// latter, <see cref="Kind"/> for the former.
/// </summary>
public sealed record VitalsTopic
{
    /// <summary>Subscription filter for JSON readings. It matches three levels only, so never a gatt topic.</summary>
    public const string KindFilter = "vitals/+/+";

    /// <summary>Subscription filter for raw GATT characteristic values.</summary>
    public const string GattFilter = "vitals/+/gatt/+";

    private const string Prefix = "vitals/";
    private const string GattLevel = "gatt";
    private const int MaxDeviceIdLength = 64;
    // How much of a bad topic an error message quotes: topics may be 64 KiB long.
    private const int MaxEchoLength = 100;

    // The Bluetooth Base UUID (Core spec, vol 3 part B 2.5.1): 0000xxxx-0000-1000-8000-00805f9b34fb is the 16-bit xxxx.
    private const string BluetoothBaseSuffix = "-0000-1000-8000-00805f9b34fb";

    private static readonly SearchValues<char> DeviceIdChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    private static readonly string KindNames = string.Join(", ", VitalKindNames.All.Select(k => k.ToTopicName()));

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private VitalsTopic(string deviceId, VitalKind? kind, string? gattUuid)
    {
        DeviceId = deviceId;
        Kind = kind;
        GattUuid = gattUuid;
    }

    /// <summary>Matches <c>[A-Za-z0-9._:-]{1,64}</c>; a BLE address such as <c>AA:BB:CC:DD:EE:FF</c> does.</summary>
    public string DeviceId { get; }

    /// <summary>What the JSON payload measures; null for a gatt topic.</summary>
    public VitalKind? Kind { get; }

    /// <summary>
    /// The characteristic of a gatt topic, lower-case: four hex digits (<c>2a35</c>) for a Bluetooth SIG
    /// characteristic, also when the topic spelled it as a full Base UUID; otherwise the full 128-bit UUID.
    /// </summary>
    public string? GattUuid { get; }

    [MemberNotNullWhen(true, nameof(GattUuid))]
    [MemberNotNullWhen(false, nameof(Kind))]
    public bool IsGatt => GattUuid is not null;

    /// <summary>True for every topic the gateway ingests (well-formed or not); anything else is plain broker traffic.</summary>
    public static bool IsVitalsTopic(string topic) => topic.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool IsValidDeviceId(ReadOnlySpan<char> deviceId) =>
        deviceId.Length is > 0 and <= MaxDeviceIdLength && !deviceId.ContainsAnyExcept(DeviceIdChars);

    /// <summary>Parses a topic a message arrived on. Never throws; on failure Where is "topic".</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out VitalsTopic? topic, out DecodeError error)
    {
        topic = null;
        var span = text.AsSpan();
        if (!span.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return Fail($"topic '{Echo(text)}' does not start with '{Prefix}'", out error);
        }
        span = span[Prefix.Length..];
        var slash = span.IndexOf('/');
        if (slash < 0)
        {
            return Fail(ShapeMessage(text), out error);
        }
        var deviceId = span[..slash];
        var rest = span[(slash + 1)..];
        if (!IsValidDeviceId(deviceId))
        {
            return Fail($"device id '{Echo(deviceId)}' does not match [A-Za-z0-9._:-]{{1,{MaxDeviceIdLength}}}", out error);
        }

        var next = rest.IndexOf('/');
        if (next < 0)
        {
            if (!VitalKindNames.TryParse(rest, out var kind))
            {
                return Fail($"unknown kind '{Echo(rest)}' (expected one of {KindNames})", out error);
            }
            topic = new VitalsTopic(deviceId.ToString(), kind, null);
            error = default;
            return true;
        }

        var uuid = rest[(next + 1)..];
        if (!rest[..next].SequenceEqual(GattLevel) || uuid.Contains('/'))
        {
            return Fail(ShapeMessage(text), out error);
        }
        if (!TryNormalizeUuid(uuid, out var normalized))
        {
            return Fail($"'{Echo(uuid)}' is not a GATT characteristic UUID (4 hex digits such as 2a35, or a full UUID such as 00002a35-0000-1000-8000-00805f9b34fb)", out error);
        }
        topic = new VitalsTopic(deviceId.ToString(), null, normalized);
        error = default;
        return true;
    }

    public override string ToString() =>
        IsGatt ? $"{Prefix}{DeviceId}/{GattLevel}/{GattUuid}" : $"{Prefix}{DeviceId}/{Kind.Value.ToTopicName()}";

    private static bool TryNormalizeUuid(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? uuid)
    {
        uuid = null;
        if (text.Length == 4 && !text.ContainsAnyExcept(HexDigits))
        {
            uuid = text.ToString().ToLowerInvariant();
            return true;
        }
        if (!Guid.TryParseExact(text, "D", out var guid))
        {
            return false;
        }
        var full = guid.ToString("D");
        // One name per characteristic, however the bridge spelled it, so parsers can dispatch on the short form.
        uuid = full.StartsWith("0000", StringComparison.Ordinal) && full.EndsWith(BluetoothBaseSuffix, StringComparison.Ordinal)
            ? full[4..8]
            : full;
        return true;
    }

    private static string ShapeMessage(string text) =>
        $"topic '{Echo(text)}' is neither vitals/{{deviceId}}/{{kind}} nor vitals/{{deviceId}}/gatt/{{uuid}}";

    private static string Echo(ReadOnlySpan<char> text) => DeviceText.Echo(text, MaxEchoLength);

    private static bool Fail(string message, out DecodeError error)
    {
        error = new("topic", message);
        return false;
    }
}
