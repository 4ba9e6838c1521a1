using System.Buffers.Binary;

namespace Vitals.Devices.Gatt;

/// <summary>
/// PLX Spot-check Measurement 0x2A5E (Pulse Oximeter Service 1.0): flags (b0 time stamp, b1 measurement status,
/// b2 device and sensor status, b3 pulse amplitude index, b4 device clock not set), SpO2 (SFLOAT %), pulse rate
/// (SFLOAT /min), [Date Time], [measurement status u16], [device and sensor status u24], [pulse amplitude index SFLOAT].
/// Reserved flag bits are ignored.
/// </summary>
public readonly record struct PlxSpotCheckMeasurement(
    MedicalFloat SpO2,
    MedicalFloat PulseRate,
    GattDateTime? TimeStamp = null,
    PlxMeasurementStatus? MeasurementStatus = null,
    uint? DeviceAndSensorStatus = null,
    MedicalFloat? PulseAmplitudeIndex = null,
    bool DeviceClockNotSet = false)
{
    public const int MinLength = 5;

    /// <summary>Byte offset of the field that carried <paramref name="field"/> (places a plausibility error).</summary>
    public static int OffsetOf(ReadingField field) => field switch
    {
        ReadingField.Pulse => 3,
        ReadingField.Time => MinLength,
        _ => 1,
    };

    public const byte TimeStampFlag = 0x01;
    public const byte MeasurementStatusFlag = 0x02;
    public const byte DeviceStatusFlag = 0x04;
    public const byte PulseAmplitudeFlag = 0x08;
    public const byte ClockNotSetFlag = 0x10;

    /// <summary>The defined bits of <see cref="DeviceAndSensorStatus"/> (reserved b16..23 dropped); null when the device sent none.</summary>
    public PlxDeviceSensorStatus? SensorStatus => DeviceAndSensorStatus is { } d ? (PlxDeviceSensorStatus)d & PlxDeviceSensorStatusExtensions.Defined : null;

    public byte Flags => (byte)((TimeStamp.HasValue ? TimeStampFlag : 0) | (MeasurementStatus.HasValue ? MeasurementStatusFlag : 0)
        | (DeviceAndSensorStatus.HasValue ? DeviceStatusFlag : 0) | (PulseAmplitudeIndex.HasValue ? PulseAmplitudeFlag : 0)
        | (DeviceClockNotSet ? ClockNotSetFlag : 0));

    public static bool TryParse(ReadOnlySpan<byte> data, out PlxSpotCheckMeasurement value, out DecodeError error)
    {
        value = default;
        var reader = new GattReader(data);
        if (!reader.TryU8("flags", out var flags, out error)
            || !reader.TrySfloat("SpO2", out var spo2, out error)
            || !reader.TrySfloat("pulse rate", out var pulse, out error))
        {
            return false;
        }
        GattDateTime? stamp = null;
        if ((flags & TimeStampFlag) != 0)
        {
            if (!reader.TryDateTime("time stamp (flag b0)", out var t, out error)) return false;
            stamp = t;
        }
        PlxMeasurementStatus? status = null;
        if ((flags & MeasurementStatusFlag) != 0)
        {
            if (!reader.TryU16("measurement status (flag b1)", out var s, out error)) return false;
            status = (PlxMeasurementStatus)s;
        }
        uint? deviceStatus = null;
        if ((flags & DeviceStatusFlag) != 0)
        {
            if (!reader.TryU24("device and sensor status (flag b2)", out var d, out error)) return false;
            deviceStatus = d;
        }
        MedicalFloat? pai = null;
        if ((flags & PulseAmplitudeFlag) != 0)
        {
            if (!reader.TrySfloat("pulse amplitude index (flag b3)", out var p, out error)) return false;
            pai = p;
        }
        if (!reader.AtEnd(out error)) return false;
        value = new PlxSpotCheckMeasurement(spo2, pulse, stamp, status, deviceStatus, pai, (flags & ClockNotSetFlag) != 0);
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        var length = MinLength + (TimeStamp.HasValue ? GattDateTime.Length : 0) + (MeasurementStatus.HasValue ? 2 : 0)
            + (DeviceAndSensorStatus.HasValue ? 3 : 0) + (PulseAmplitudeIndex.HasValue ? 2 : 0);
        if (destination.Length < length || DeviceAndSensorStatus > 0xFFFFFF
            || !Sfloat.TryEncode(SpO2, out var spo2) || !Sfloat.TryEncode(PulseRate, out var pulse))
        {
            return false;
        }
        destination[0] = Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], spo2);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[3..], pulse);
        var at = MinLength;
        if (TimeStamp is { } stamp)
        {
            if (!stamp.TryFormat(destination[at..], out var n)) return false;
            at += n;
        }
        if (MeasurementStatus is { } status)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)status);
            at += 2;
        }
        if (DeviceAndSensorStatus is { } d)
        {
            destination[at] = (byte)d;
            destination[at + 1] = (byte)(d >> 8);
            destination[at + 2] = (byte)(d >> 16);
            at += 3;
        }
        if (PulseAmplitudeIndex is { } pai)
        {
            if (!Sfloat.TryEncode(pai, out var p)) return false;
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], p);
            at += 2;
        }
        written = at;
        return true;
    }
}
