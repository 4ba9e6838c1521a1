using Vitals.Devices;
using Vitals.Gateway.Ingest;

using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

// Rejections are covered by TestData/Json/vectors.json through MessageDecoder; these pin the parsed shape.
public sealed class VitalsTopicTests
{
    [Theory]
    [InlineData("vitals/thermo-1/body-temperature", "thermo-1", VitalKind.BodyTemperature)]
    [InlineData("vitals/AA:BB:CC:DD:EE:FF/blood-pressure", "AA:BB:CC:DD:EE:FF", VitalKind.BloodPressure)]
    [InlineData("vitals/gatt/oxygen-saturation", "gatt", VitalKind.OxygenSaturation)]
    public void Kind_topic_is_parsed(string text, string deviceId, VitalKind kind)
    {
        Assert.True(VitalsTopic.TryParse(text, out var topic, out var error), error.ToString());

        Assert.Equal(deviceId, topic.DeviceId);
        Assert.Equal(kind, topic.Kind);
        Assert.False(topic.IsGatt);
        Assert.Null(topic.GattUuid);
        Assert.Equal(text, topic.ToString());
    }

    [Theory]
    [InlineData("vitals/cuff-1/gatt/2a35", "2a35")]
    [InlineData("vitals/cuff-1/gatt/2A35", "2a35")]
    [InlineData("vitals/cuff-1/gatt/00002A35-0000-1000-8000-00805F9B34FB", "2a35")]
    [InlineData("vitals/cuff-1/gatt/12342a35-0000-1000-8000-00805f9b34fb", "12342a35-0000-1000-8000-00805f9b34fb")]
    [InlineData("vitals/cuff-1/gatt/6E400003-B5A3-F393-E0A9-E50E24DCCA9E", "6e400003-b5a3-f393-e0a9-e50e24dcca9e")]
    public void Gatt_topic_is_parsed_with_a_normalised_uuid(string text, string uuid)
    {
        Assert.True(VitalsTopic.TryParse(text, out var topic, out var error), error.ToString());

        Assert.Equal("cuff-1", topic.DeviceId);
        Assert.True(topic.IsGatt);
        Assert.Equal(uuid, topic.GattUuid);
        Assert.Null(topic.Kind);
        Assert.Equal($"vitals/cuff-1/gatt/{uuid}", topic.ToString());
    }

    [Fact]
    public void Parsed_topics_format_back_to_themselves()
    {
        foreach (var kind in VitalKindNames.All)
        {
            var text = $"vitals/dev.1/{kind.ToTopicName()}";
            Assert.True(VitalsTopic.TryParse(text, out var parsed, out _));
            Assert.Equal(kind, parsed.Kind);
            Assert.Equal(text, parsed.ToString());
        }
        // A full Base UUID is one name with its 16-bit short form, so the formatted topic uses the short form.
        Assert.True(VitalsTopic.TryParse("vitals/AA:BB:CC:DD:EE:FF/gatt/00002A1C-0000-1000-8000-00805F9B34FB", out var gatt, out _));
        Assert.Equal("vitals/AA:BB:CC:DD:EE:FF/gatt/2a1c", gatt.ToString());
        Assert.True(VitalsTopic.TryParse(gatt.ToString(), out var parsedGatt, out _));
        Assert.Equal(gatt, parsedGatt);
    }

    [Theory]
    [InlineData("vitals/dev-1/heart-rate", true, false)]
    [InlineData("vitals/dev-1/gatt/2a37", false, true)]
    [InlineData("vitals/dev-1/heart-rate/x/y", false, false)]
    public void Subscription_filters_split_kind_and_gatt_topics(string topic, bool kindFilter, bool gattFilter)
    {
        Assert.Equal(kindFilter, Matches(VitalsTopic.KindFilter, topic));
        Assert.Equal(gattFilter, Matches(VitalsTopic.GattFilter, topic));
    }

    [Theory]
    [InlineData("d", true)]
    [InlineData("Az09._:-", true)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a+b", false)]
    [InlineData("ä", false)]
    public void Device_id_rule(string deviceId, bool valid) => Assert.Equal(valid, VitalsTopic.IsValidDeviceId(deviceId));

    // MQTT filter matching for '+' only (the filters use no '#').
    private static bool Matches(string filter, string topic)
    {
        var f = filter.Split('/');
        var t = topic.Split('/');
        return f.Length == t.Length && f.Zip(t).All(p => p.First == "+" || p.First == p.Second);
    }
}
