using System.Text.Json;
using Vitals.Devices;

namespace Vitals.Gateway.Tests.Devices.Gatt;

/// <summary>TestData/Gatt/vectors.json (its "comment" describes the format).</summary>
internal static class GattVectors
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "Gatt", "vectors.json"))).RootElement);

    public static IEnumerable<JsonElement> All => Root.Value.GetProperty("cases").EnumerateArray();

    public static JsonElement Named(string name) => All.Single(c => c.GetProperty("name").GetString() == name);

    public static TheoryData<string> Names(Func<JsonElement, bool>? filter = null)
    {
        var names = new TheoryData<string>();
        foreach (var c in All.Where(filter ?? (_ => true)))
        {
            names.Add(c.GetProperty("name").GetString()!);
        }
        return names;
    }

    public static bool IsAccepted(JsonElement vector) => vector.TryGetProperty("expect", out _);

    public static string Uuid(JsonElement vector) => vector.GetProperty("uuid").GetString()!;

    public static byte[] Bytes(JsonElement vector) => Convert.FromHexString(vector.GetProperty("hex").GetString()!.Replace(" ", "", StringComparison.Ordinal));

    public static string DeviceId => Root.Value.GetProperty("defaults").GetProperty("deviceId").GetString()!;

    public static DecodeContext Context(JsonElement vector)
    {
        var defaults = Root.Value.GetProperty("defaults");
        var zone = (vector.TryGetProperty("zone", out var z) ? z : defaults.GetProperty("zone")).GetString()!;
        var receivedAt = DateTimeOffset.Parse(defaults.GetProperty("receivedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return new DecodeContext(receivedAt, TimeZoneInfo.FindSystemTimeZoneById(zone), PlausibilityLimits.Default);
    }
}
