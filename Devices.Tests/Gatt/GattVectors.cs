using System.Text.Json;
using Vitals.Devices;

namespace Vitals.Devices.Tests.Gatt;

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

    /// <summary>One to three random bit flips, deletions, insertions or truncations of <paramref name="original"/>.</summary>
    public static byte[] Mutate(Random random, byte[] original)
    {
        var data = original.ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            switch (random.Next(4))
            {
                case 0 when data.Count > 0: data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8)); break;
                case 1 when data.Count > 0: data.RemoveRange(random.Next(data.Count), 1); break;
                case 2: data.Insert(random.Next(data.Count + 1), (byte)random.Next(256)); break;
                case 3 when data.Count > 0: data.RemoveRange(data.Count - 1, 1); break;
            }
        }
        return [.. data];
    }

    public static string DeviceId => Root.Value.GetProperty("defaults").GetProperty("deviceId").GetString()!;

    public static DecodeContext Context(JsonElement vector)
    {
        var defaults = Root.Value.GetProperty("defaults");
        var zone = (vector.TryGetProperty("zone", out var z) ? z : defaults.GetProperty("zone")).GetString()!;
        var receivedAt = DateTimeOffset.Parse(defaults.GetProperty("receivedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Vitals.Devices.Gatt.WeightScaleFeature? feature = null;
        if (vector.TryGetProperty("weightFeature", out var f))
        {
            Assert.True(Vitals.Devices.Gatt.WeightScaleFeature.TryParse(Convert.FromHexString(f.GetString()!.Replace(" ", "", StringComparison.Ordinal)), out var parsed, out _));
            feature = parsed;
        }
        return new DecodeContext(receivedAt, TimeZoneInfo.FindSystemTimeZoneById(zone), PlausibilityLimits.Default) { WeightFeature = feature };
    }
}
