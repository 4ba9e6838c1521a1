using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Devices.Json;
using Vitals.Gateway.Ingest;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>The simulator's raw-GATT mode speaks what the gateway's decoders read: same reading, characteristic by characteristic.</summary>
public sealed class SimulatedGattMessageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Every_generated_GATT_value_decodes_in_the_gateway_to_the_reading_the_device_took()
    {
        var fleet = DeviceFleet.Create("sim", VitalKindNames.All, 3);
        var json = new SimulatedMessageSource(fleet, seed: 5, malformedFraction: 0);
        var gatt = new SimulatedMessageSource(fleet, seed: 5, malformedFraction: 0, gatt: true);
        var decoder = new MessageDecoder(Options.Create(new IngestOptions { TimeZone = TimeZoneInfo.Local.Id }));
        var uuids = new HashSet<string>();

        for (var i = 0; i < 1200; i++)
        {
            var plain = json.Next(Now);
            var raw = gatt.Next(Now);
            Assert.Contains("/gatt/", raw.Topic, StringComparison.Ordinal);
            uuids.Add(raw.Topic[(raw.Topic.LastIndexOf('/') + 1)..]);
            Assert.True(decoder.TryDecodePublish(raw.Topic, raw.Payload, Now, out var fromGatt, out var error), $"{raw.Topic}: {error}");
            Assert.True(JsonReadingDecoder.TryDecode(plain.Device.Id, plain.Device.Kind, plain.Payload, DecodeContext.At(Now), out var expected, out _));

            Assert.Equal(expected.Kind, fromGatt.Kind);
            Assert.Equal(expected.DeviceId, fromGatt.DeviceId);
            // The device clock has whole seconds and no zone: the time comes back to the second.
            Assert.Equal(expected.EffectiveTime.ToUnixTimeSeconds(), fromGatt.EffectiveTime.ToUnixTimeSeconds());
            AssertSameValue(expected, fromGatt);
        }
        Assert.Equal(["2a1c", "2a35", "2a37", "2a5e", "2a9d", "2b8b"], uuids.Order(StringComparer.Ordinal));
    }

    private static void AssertSameValue(Reading expected, Reading actual)
    {
        switch (expected.Kind)
        {
            case VitalKind.BloodPressure:
                Assert.Equal(expected.Systolic!.Value.Value, actual.Systolic!.Value.Value);
                Assert.Equal(expected.Diastolic!.Value.Value, actual.Diastolic!.Value.Value);
                Assert.Equal(expected.Systolic.Value.Unit, actual.Systolic.Value.Unit);
                Assert.Equal(expected.Pulse?.Value, actual.Pulse?.Value);
                break;
            case VitalKind.BodyWeight:
                // The Weight Measurement's resolution is 0.005 kg (0.01 lb); grams travel as kilograms.
                var kg = expected.Value!.Value.Unit == Ucum.Gram ? expected.Value.Value.Value / 1000m : expected.Value.Value.Value;
                var tolerance = expected.Value.Value.Unit == Ucum.Pound ? 0.005m : 0.0025m;
                Assert.InRange(actual.Value!.Value.Value, kg - tolerance, kg + tolerance);
                break;
            default:
                Assert.Equal(expected.Value!.Value.Value, actual.Value!.Value.Value);
                Assert.Equal(expected.Value.Value.Unit, actual.Value.Value.Unit);
                break;
        }
    }
}
