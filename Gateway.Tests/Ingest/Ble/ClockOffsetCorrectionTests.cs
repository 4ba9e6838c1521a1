using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Ble;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Tests.Ingest.Ble;

/// <summary>Device-local measurement times are moved onto the gateway's clock by the measured offset; nothing else is.</summary>
public sealed class ClockOffsetCorrectionTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 25, 9, 0, 30, TimeSpan.Zero);

    // 36.4 Cel, time stamp 2026-11-25 09:07:00 (a thermometer 7 minutes fast; taken at 09:00 real time).
    private static readonly byte[] Stamped = [0x02, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07, 11, 25, 9, 7, 0];

    [Fact]
    public void A_device_local_time_is_corrected_by_the_offset_and_its_raw_form_kept()
    {
        var context = Context() with { DeviceClockOffset = TimeSpan.FromMinutes(7) };

        Assert.True(GattReadingDecoder.TryDecode("C0:FF:EE:00:00:01", "2a1c", Stamped, context, out var reading, out var error), error.ToString());

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), reading.EffectiveTime);
        // The identity of a resent measurement must not depend on the offset estimate of the day.
        Assert.Equal("2026-11-25T09:07:00", reading.DeviceTime);
    }

    [Fact]
    public void A_slow_clock_moves_times_forward()
    {
        var context = Context() with { DeviceClockOffset = TimeSpan.FromHours(-1) };
        byte[] slow = [0x02, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07, 11, 25, 8, 0, 0];

        Assert.True(GattReadingDecoder.TryDecode("bp", "2a1c", slow, context, out var reading, out _));

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), reading.EffectiveTime);
    }

    [Fact]
    public void Without_an_offset_device_time_is_taken_as_it_is()
    {
        Assert.True(GattReadingDecoder.TryDecode("t", "2a1c", Stamped, Context(), out var reading, out _));

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 7, 0, TimeSpan.Zero), reading.EffectiveTime);
    }

    [Fact]
    public void A_value_without_a_time_stamp_stays_at_receipt_time()
    {
        var context = Context() with { DeviceClockOffset = TimeSpan.FromMinutes(7) };

        Assert.True(GattReadingDecoder.TryDecode("t", "2a1c", [0x00, 0x6C, 0x01, 0x00, 0xFF], context, out var reading, out _));

        Assert.Equal(ReceivedAt, reading.EffectiveTime);
        Assert.Equal(TimeQuality.ReceiptTime, reading.TimeQuality);
    }

    [Fact]
    public void The_message_decoder_applies_the_offset_a_BLE_source_measured_and_MQTT_stays_unchanged()
    {
        var decoder = new MessageDecoder(Options.Create(new IngestOptions { TimeZone = "UTC" }));
        var mqtt = Some.MqttMessage("vitals/C0:FF:EE:00:00:01/gatt/2a1c", Stamped, ReceivedAt, "bridge");
        var ble = mqtt with
        {
            Source = new BleSource("hci0", "C0:FF:EE:00:00:01", 0x2A1C),
            Context = new DeviceContext { ClockOffset = TimeSpan.FromMinutes(7) },
        };

        Assert.True(decoder.TryDecode(mqtt, out var fromMqtt, out _));
        Assert.True(decoder.TryDecode(ble, out var fromBle, out _));

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 7, 0, TimeSpan.Zero), fromMqtt.EffectiveTime);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), fromBle.EffectiveTime);
        Assert.Equal(ReadingIdentity.Key(fromMqtt), ReadingIdentity.Key(fromBle));
    }

    private static DecodeContext Context() => DecodeContext.At(ReceivedAt) with { LocalZone = TimeZoneInfo.Utc };
}
