using System.Globalization;
using System.Text.Json;
using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

/// <summary>Runs TestData/Gatt/vectors.json through <see cref="GattReadingDecoder"/>; Gateway.Tests validates the FHIR output of every accepted one.</summary>
public sealed class GattVectorTests
{
    public static TheoryData<string> CaseNames() => GattVectors.Names();

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Vector(string name)
    {
        var vector = GattVectors.Named(name);
        var context = GattVectors.Context(vector);

        var decoded = GattReadingDecoder.TryDecode(GattVectors.DeviceId, GattVectors.Uuid(vector), GattVectors.Bytes(vector), context, out var reading, out var error);

        if (vector.TryGetProperty("expectError", out var expectError))
        {
            Assert.False(decoded, $"decoded to {reading}");
            Assert.Null(reading);
            Assert.Equal(expectError.GetProperty("where").GetString(), error.Where);
            Assert.Contains(expectError.GetProperty("message").GetString()!, error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(decoded, error.ToString());
            AssertReading(vector.GetProperty("expect"), reading!, context);
        }
    }

    [Fact]
    public void The_vectors_cover_every_special_value_and_every_characteristic()
    {
        var accepted = GattVectors.All.Where(GattVectors.IsAccepted).ToList();
        var absent = accepted.SelectMany(v => v.GetProperty("expect").EnumerateObject())
            .Where(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.StartsWith('('))
            .Select(p => p.Value.GetString()![1..p.Value.GetString()!.IndexOf(')', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string> { "NotANumber", "Error", "PositiveInfinity", "NegativeInfinity" }, absent);
        var uuids = accepted.Select(GattVectors.Uuid).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string> { "2a1c", "2a35", "2a9d", "2a37", "2a5e", "2b8b", "2bdd" }, uuids);
    }

    private static void AssertReading(JsonElement expect, Reading reading, DecodeContext context)
    {
        Assert.Equal(GattVectors.DeviceId, reading.DeviceId);
        foreach (var property in expect.EnumerateObject())
        {
            var expected = property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => property.Value.GetInt32().ToString(CultureInfo.InvariantCulture),
                _ => property.Value.GetString(),
            };
            var actual = property.Name switch
            {
                "kind" => reading.Kind.ToString(),
                "value" => reading.Value?.ToString(),
                "systolic" => reading.Systolic?.ToString(),
                "diastolic" => reading.Diastolic?.ToString(),
                "mean" => reading.MeanArterial?.ToString(),
                "pulse" => reading.Pulse?.ToString(),
                "bmi" => reading.Bmi?.ToString(),
                "height" => reading.Height?.ToString(),
                "site" => reading.Site,
                "userId" => reading.UserId?.ToString(CultureInfo.InvariantCulture),
                "status" => reading.Status.ToString(),
                "timeQuality" => reading.TimeQuality.ToString(),
                "deviceTime" => reading.DeviceTime,
                "measurementId" => reading.MeasurementId,
                "recordNumber" => reading.RecordNumber?.ToString(CultureInfo.InvariantCulture),
                "mdcType" => reading.MdcType?.ToString(CultureInfo.InvariantCulture),
                "sensorStatus" => reading.SensorStatus?.ToString(),
                "effectiveTime" => reading.EffectiveTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
                _ => throw new InvalidOperationException($"unknown expect field '{property.Name}'"),
            };
            Assert.True(expected == actual, $"{property.Name}: expected '{expected}', got '{actual}'");
        }
        if (reading.TimeQuality == TimeQuality.ReceiptTime)
        {
            Assert.Equal(context.ReceivedAt, reading.EffectiveTime);
            Assert.Null(reading.DeviceTime);
        }
    }
}
