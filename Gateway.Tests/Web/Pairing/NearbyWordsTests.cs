using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Web.Pairing;

namespace Vitals.Gateway.Tests.Web.Pairing;

public sealed class NearbyWordsTests
{
    [Theory]
    [InlineData(GattUuids.HealthThermometerService, "Thermometer")]
    [InlineData(GattUuids.BloodPressureService, "Blood pressure monitor")]
    [InlineData(GattUuids.WeightScaleService, "Weighing scale")]
    [InlineData(GattUuids.PulseOximeterService, "Pulse oximeter")]
    [InlineData(GattUuids.GenericHealthSensorService, "Health sensor")]
    [InlineData(GattUuids.HeartRateService, "Heart rate monitor")]
    public void A_health_service_is_named_in_plain_words(ushort service, string words) =>
        Assert.Equal(words, NearbyWords.Kind([service]));

    [Theory]
    [InlineData((short)-40, "strong")]
    [InlineData((short)-60, "strong")]
    [InlineData((short)-61, "good")]
    [InlineData((short)-75, "good")]
    [InlineData((short)-76, "weak")]
    [InlineData((short)-98, "weak")]
    public void Signal_strength_is_strong_good_or_weak(short rssi, string words) =>
        Assert.Equal(words, NearbyWords.Signal(rssi));

    [Fact]
    public void A_device_reads_as_kind_name_and_signal()
    {
        var cuff = new NearbyDevice("C0:FF:EE:00:00:02", "Vitals BP Monitor", -53, [GattUuids.BloodPressureService], false);
        Assert.Equal("Blood pressure monitor “Vitals BP Monitor”, signal strong", NearbyWords.Describe(cuff));
        Assert.Equal("Thermometer, signal not heard just now", NearbyWords.Describe(new NearbyDevice("C0:FF:EE:00:00:01", null, null, [GattUuids.HealthThermometerService], false)));
        Assert.Equal("nearby-C0-FF-EE-00-00-02", NearbyWords.ElementId(cuff.Address));
    }
}
