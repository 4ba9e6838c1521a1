using System.Globalization;
using System.Text;
using System.Text.Json;
using Vitals.Devices;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class DevicePayloadGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1));

    public static TheoryData<VitalKind> Kinds() => new(VitalKindNames.All);

    [Fact]
    public void DeviceIds_FollowThePrefixKindNumberPattern()
    {
        var fleet = DeviceFleet.Create("sim", [VitalKind.BloodPressure, VitalKind.HeartRate], 3);

        Assert.Equal(
            ["sim-blood-pressure-0001", "sim-blood-pressure-0002", "sim-blood-pressure-0003", "sim-heart-rate-0001", "sim-heart-rate-0002", "sim-heart-rate-0003"],
            fleet.Select(d => d.Id));
        Assert.Equal("vitals/sim-blood-pressure-0003/blood-pressure", fleet[2].Topic);
    }

    [Fact]
    public void SameSeed_GivesTheSamePayloads_AnotherSeedDifferentOnes()
    {
        var fleet = DeviceFleet.Create("sim", VitalKindNames.All, 2);

        var first = Generate(new SimulatedMessageSource(fleet, seed: 7, malformedFraction: 0.2), 200);
        var again = Generate(new SimulatedMessageSource(fleet, seed: 7, malformedFraction: 0.2), 200);
        var other = Generate(new SimulatedMessageSource(fleet, seed: 8, malformedFraction: 0.2), 200);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GoodPayloads_MeetTheMqttContract(VitalKind kind)
    {
        foreach (var device in DeviceFleet.Create("contract", [kind], 40))
        {
            var generator = new DevicePayloadGenerator(device, seed: 3);
            for (var i = 0; i < 50; i++)
            {
                var now = Start.AddMinutes(i * 7);
                var message = generator.NextReading(now);

                Assert.Null(message.Malformed);
                Assert.Equal(device.Topic, message.Topic);
                var problem = PayloadContract.Problem(message.Topic, message.Payload, now);
                Assert.True(problem is null, $"{device.Id} #{i}: {problem}\n{Encoding.UTF8.GetString(message.Payload)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Ids_IncreaseByOnePerDevice_AndMatchThePayload(VitalKind kind)
    {
        var generator = new DevicePayloadGenerator(DeviceFleet.Create("sim", [kind], 1)[0], seed: 1);
        var messages = Enumerable.Range(0, 30)
            .Select(i => i % 4 == 3
                ? generator.NextMalformed(Start, MalformedKind.FutureTime)
                : generator.NextReading(Start.AddSeconds(i)))
            .ToList();

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), messages.Select(m => m.Sequence));
        foreach (var message in messages)
        {
            using var json = JsonDocument.Parse(message.Payload);
            Assert.Equal(message.Sequence, json.RootElement.GetProperty("id").GetInt64());
        }
    }

    [Fact]
    public void ADevice_KeepsItsUnitAndPrecision_AndItsValuesDriftAroundABaseline()
    {
        foreach (var device in DeviceFleet.Create("sim", [VitalKind.BodyTemperature, VitalKind.BodyWeight], 20))
        {
            var generator = new DevicePayloadGenerator(device, seed: 11);
            var readings = Enumerable.Range(0, 40).Select(i => Parse(generator.NextReading(Start.AddMinutes(i)))).ToList();

            Assert.Single(readings.Select(r => r.Unit).Distinct());
            Assert.Single(readings.Select(r => r.Decimals).Distinct());
            var decimals = readings[0].Decimals;
            if (device.Kind == VitalKind.BodyWeight && readings[0].Unit != "g")
            {
                Assert.Equal(1, decimals);
            }
            if (device.Kind == VitalKind.BodyTemperature)
            {
                Assert.InRange(decimals, 1, 2);
            }
            // Realistic, not constant: a patient's readings vary, within a few percent of each other.
            Assert.True(readings.Select(r => r.Value).Distinct().Count() > 1, $"{device.Id} sent a constant value");
            Assert.True(readings.Max(r => r.Value) / readings.Min(r => r.Value) < 1.25m, $"{device.Id} varies too much");
        }
    }

    [Fact]
    public void AFleet_UsesAlternativeUnitsAndOptionalFields_Sometimes()
    {
        var units = new HashSet<string>();
        var fields = new HashSet<string>();
        foreach (var device in DeviceFleet.Create("sim", VitalKindNames.All, 60))
        {
            var generator = new DevicePayloadGenerator(device, seed: 5);
            for (var i = 0; i < 40; i++)
            {
                using var json = JsonDocument.Parse(generator.NextReading(Start.AddMinutes(i)).Payload);
                units.Add(json.RootElement.GetProperty("unit").GetString()!);
                fields.UnionWith(json.RootElement.EnumerateObject().Select(p => p.Name));
            }
        }

        Assert.Superset(new HashSet<string> { "Cel", "[degF]", "°C", "mm[Hg]", "kPa", "kg", "lb", "/min", "bpm", "%" }, units);
        Assert.Superset(new HashSet<string> { "site", "status", "mean", "pulse" }, fields);
    }

    [Fact]
    public void Times_CarryAnOffset_LocalOrUtc()
    {
        var offsets = new HashSet<string>();
        foreach (var device in DeviceFleet.Create("sim", VitalKindNames.All, 10))
        {
            using var json = JsonDocument.Parse(new DevicePayloadGenerator(device, seed: 2).NextReading(Start.AddMilliseconds(640)).Payload);
            var time = json.RootElement.GetProperty("time").GetString()!;
            Assert.Equal(Start, DateTimeOffset.Parse(time, CultureInfo.InvariantCulture));
            offsets.Add(time[19..]);
        }

        Assert.Equal(new HashSet<string> { "+01:00", "Z" }, offsets);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryMalformedKind_BreaksTheContractTheWayItsNameSays(VitalKind kind)
    {
        var device = DeviceFleet.Create("sim", [kind], 1)[0];
        var generator = new DevicePayloadGenerator(device, seed: 9);
        var limits = PlausibilityLimits.Default;

        foreach (var malformed in DevicePayloadGenerator.MalformedKindsFor(kind))
        {
            var message = generator.NextMalformed(Start, malformed);

            Assert.Equal(malformed, message.Malformed);
            Assert.NotNull(PayloadContract.Problem(message.Topic, message.Payload, Start));
            switch (malformed)
            {
                case MalformedKind.MalformedJson:
                    Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(message.Payload));
                    break;
                case MalformedKind.Oversize:
                    Assert.True(message.Payload.Length > PayloadContract.MaxPayloadBytes);
                    Assert.Null(PayloadContract.Problem(message.Topic, Strip(message.Payload, "note"), Start));
                    break;
                case MalformedKind.UnknownKindTopic:
                    Assert.Equal($"vitals/{device.Id}/{DevicePayloadGenerator.UnknownKindTopicName}", message.Topic);
                    Assert.False(VitalKindNames.TryParse(message.Topic.Split('/')[2], out _));
                    break;
                case MalformedKind.UnknownUnit:
                    Assert.False(PayloadContract.IsKnownUnit(kind, Property(message, "unit").GetString()!));
                    break;
                case MalformedKind.NaNString:
                    Assert.Equal("NaN", Property(message, kind == VitalKind.BloodPressure ? "systolic" : "value").GetString());
                    break;
                case MalformedKind.FutureTime:
                    var time = DateTimeOffset.Parse(Property(message, "time").GetString()!, CultureInfo.InvariantCulture);
                    Assert.True(time > Start + limits.MaxFutureSkew);
                    break;
                case MalformedKind.DiastolicAboveSystolic:
                    Assert.True(Property(message, "diastolic").GetDecimal() > Property(message, "systolic").GetDecimal());
                    break;
                case MalformedKind.Implausible:
                    if (kind == VitalKind.BodyTemperature)
                    {
                        Assert.Equal(80m, Property(message, "value").GetDecimal());
                    }
                    break;
            }
        }
    }

    [Fact]
    public void DiastolicAboveSystolic_OnlyForBloodPressureDevices()
    {
        Assert.Contains(MalformedKind.DiastolicAboveSystolic, DevicePayloadGenerator.MalformedKindsFor(VitalKind.BloodPressure));
        var scale = new DevicePayloadGenerator(DeviceFleet.Create("sim", [VitalKind.BodyWeight], 1)[0], seed: 1);

        Assert.DoesNotContain(MalformedKind.DiastolicAboveSystolic, DevicePayloadGenerator.MalformedKindsFor(VitalKind.BodyWeight));
        Assert.Throws<ArgumentException>(() => scale.NextMalformed(Start, MalformedKind.DiastolicAboveSystolic));
    }

    [Fact]
    public void MessageSource_MakesTheRequestedFractionMalformed_AndTalliesEachKind()
    {
        var source = new SimulatedMessageSource(DeviceFleet.Create("sim", VitalKindNames.All, 3), seed: 4, malformedFraction: 0.3);

        var messages = Enumerable.Range(0, 2000).Select(i => source.Next(Start.AddSeconds(i))).ToList();

        var malformed = messages.Where(m => m.IsMalformed).ToList();
        Assert.InRange(malformed.Count, 540, 660);
        Assert.Equal(malformed.Count, source.MalformedTotal);
        foreach (var kind in Enum.GetValues<MalformedKind>())
        {
            Assert.Equal(malformed.Count(m => m.Malformed == kind), source.MalformedCounts.GetValueOrDefault(kind));
            Assert.True(source.MalformedCounts.GetValueOrDefault(kind) > 0, $"no {kind} in 2000 messages");
        }
        Assert.All(messages.Where(m => !m.IsMalformed), m => Assert.Null(PayloadContract.Problem(m.Topic, m.Payload, Start.AddSeconds(2000))));
    }

    [Fact]
    public void MessageSource_TakesDevicesInTurn()
    {
        var fleet = DeviceFleet.Create("sim", [VitalKind.HeartRate, VitalKind.BodyWeight], 2);
        var source = new SimulatedMessageSource(fleet, seed: 1, malformedFraction: 0);

        var devices = Enumerable.Range(0, 8).Select(_ => source.Next(Start).Device.Id).ToList();

        Assert.Equal(fleet.Select(d => d.Id).Concat(fleet.Select(d => d.Id)), devices);
    }

    private static List<string> Generate(SimulatedMessageSource source, int count) =>
        Enumerable.Range(0, count)
            .Select(i => source.Next(Start.AddSeconds(i)))
            .Select(m => $"{m.Topic} {Encoding.UTF8.GetString(m.Payload)}")
            .ToList();

    private static JsonElement Property(SimulatedMessage message, string name)
    {
        using var json = JsonDocument.Parse(message.Payload);
        return json.RootElement.GetProperty(name).Clone();
    }

    private static byte[] Strip(byte[] payload, string property)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(payload)!.AsObject();
        node.Remove(property);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static (string Unit, int Decimals, decimal Value) Parse(SimulatedMessage message)
    {
        using var json = JsonDocument.Parse(message.Payload);
        var value = json.RootElement.GetProperty("value");
        var raw = value.GetRawText();
        var decimals = raw.Contains('.', StringComparison.Ordinal) ? raw.Length - raw.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
        return (json.RootElement.GetProperty("unit").GetString()!, decimals, value.GetDecimal());
    }
}
