using Vitals.Devices;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest.Ble.Session;

namespace Vitals.Gateway.Tests.Ingest.Ble.Session;

public sealed class DeviceClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly DateTimeOffset GatewayNow = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero); // 09:00 in Berlin

    [Fact]
    public void A_device_clock_seven_minutes_fast_in_the_configured_zone_is_seven_minutes_ahead()
    {
        var value = Current(new DateTime(2026, 11, 25, 9, 7, 0));

        Assert.True(DeviceClock.TryMeasureOffset(value, GatewayNow, Berlin, out var offset, out var error), error.ToString());
        Assert.Equal(TimeSpan.FromMinutes(7), offset);
    }

    [Fact]
    public void Fractions_of_a_second_count()
    {
        var value = Current(new DateTime(2026, 11, 25, 7, 59, 59).AddMilliseconds(500));

        Assert.True(DeviceClock.TryMeasureOffset(value, GatewayNow, TimeZoneInfo.Utc, out var offset, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(-500), offset);
    }

    [Fact]
    public void What_the_gateway_writes_reads_back_as_no_offset()
    {
        var written = DeviceClock.Format(GatewayNow, Berlin);

        Assert.True(CurrentTime.TryParse(written, out var value, out _));
        Assert.Equal(CurrentTime.ExternalReferenceTimeUpdate, value.AdjustReason);
        Assert.True(DeviceClock.TryMeasureOffset(written, GatewayNow, Berlin, out var offset, out _));
        Assert.Equal(TimeSpan.Zero, offset);
    }

    [Fact]
    public void A_clock_that_is_not_set_is_refused_with_the_characteristic_named()
    {
        var value = new byte[CurrentTime.Length]; // year, month, day 0: unknown

        Assert.False(DeviceClock.TryMeasureOffset(value, GatewayNow, Berlin, out _, out var error));
        Assert.StartsWith("0x2A2B", error.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_value_is_refused_with_the_byte_offset()
    {
        Assert.False(DeviceClock.TryMeasureOffset([0xEA, 0x07, 11], GatewayNow, Berlin, out _, out var error));
        Assert.Equal("0x2A2B byte 0", error.Where);
    }

    private static byte[] Current(DateTime local)
    {
        var buffer = new byte[CurrentTime.Length];
        Assert.True(CurrentTime.From(local, 0).TryFormat(buffer, out _));
        return buffer;
    }
}
