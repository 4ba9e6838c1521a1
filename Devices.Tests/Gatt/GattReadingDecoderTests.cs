using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

public sealed class GattReadingDecoderTests
{
    private static readonly DecodeContext Context = DecodeContext.At(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero)) with { LocalZone = TimeZoneInfo.Utc };

    [Fact]
    public void Temperature_type_read_from_0x2A1D_is_the_site_when_the_measurement_has_none()
    {
        Assert.True(GattReadingDecoder.TryDecode("t-1", "2a1c", [0x00, 0x6C, 0x01, 0x00, 0xFF], Context, out var reading, out var error, new TemperatureType(9)), error.ToString());
        Assert.Equal("tympanic", reading.Site);
    }

    [Fact]
    public void The_measurement_own_type_wins_over_the_fallback()
    {
        Assert.True(GattReadingDecoder.TryDecode("t-1", "2A1C", [0x04, 0x6C, 0x01, 0x00, 0xFF, 0x06], Context, out var reading, out _, new TemperatureType(9)));
        Assert.Equal("oral", reading.Site);
    }

    [Fact]
    public void A_formatted_measurement_decodes_to_the_same_numbers()
    {
        var measurement = new BloodPressureMeasurement(new MedicalFloat(128.5m), new MedicalFloat(82m), MedicalFloat.NaN, Kilopascal: false,
            PulseRate: new MedicalFloat(64m), UserId: 1, Status: BloodPressureStatus.IrregularPulse);
        Span<byte> buffer = stackalloc byte[BloodPressureMeasurement.MaxLength];
        Assert.True(measurement.TryFormat(buffer, out var written));

        Assert.True(GattReadingDecoder.TryDecode("cuff-1", "2a35", buffer[..written], Context, out var reading, out var error), error.ToString());

        Assert.Equal(new Quantity(128.5m, Ucum.MillimetreMercury), reading.Systolic);
        Assert.Equal(AbsentReason.NotANumber, reading.MeanArterial!.Value.Absent);
        Assert.Equal(1, reading.UserId);
        Assert.Equal(MeasurementStatus.IrregularPulse, reading.Status);
    }
}
