using System.Globalization;
using Vitals.Devices;
using Vitals.Devices.Gatt;

namespace Vitals.Simulators.BleSimulator.Peripherals;

/// <summary>
/// Realistic values for one device: each reading drifts a little from the previous one within a normal adult range,
/// seeded so a run can be repeated. Values are formatted with the Devices library's own <c>TryFormat</c>, the single
/// source of the byte layouts the gateway parses back.
/// </summary>
internal sealed class ReadingGenerator
{
    private readonly Random _random;
    private int _temperatureHundredths = 3690;
    private int _systolic = 124;
    private int _diastolic = 80;
    private int _pulse = 70;
    private int _weightSteps = 14_000;
    private int _respiration = 16;
    private int _count;

    public ReadingGenerator(int seed) => _random = new Random(seed);

    /// <param name="deviceClock">the device's own clock at the moment of the reading (true UTC + its offset)</param>
    /// <param name="user">the user button pressed (BP and scale: the measurement's User ID field); null: none sent</param>
    public Measurement Next(DeviceKind kind, string address, DateTimeOffset takenAt, DateTimeOffset deviceClock, TimeZoneInfo zone, byte? user = null)
    {
        _count++;
        var stamp = GattDateTime.FromLocal(TimeZoneInfo.ConvertTime(deviceClock, zone).DateTime);
        var deviceTime = stamp.ToString();
        Span<byte> buffer = stackalloc byte[64];
        int written;
        Dictionary<string, object> values;
        List<byte[]> intermediates = [];
        GhsObservation? observation = null;
        var uuid = GattLayout.MeasurementUuid(kind);
        switch (kind)
        {
            case DeviceKind.Thermometer:
            {
                _temperatureHundredths = Drift(_temperatureHundredths, 6, 3640, 3740);
                var celsius = new decimal(_temperatureHundredths, 0, 0, false, 2);
                Check(new TemperatureMeasurement(new MedicalFloat(celsius), false, stamp).TryFormat(buffer, out written));
                values = new() { ["temperature"] = celsius, ["unit"] = Ucum.Celsius };
                break;
            }
            case DeviceKind.BloodPressure:
            {
                _systolic = Drift(_systolic, 4, 110, 140);
                _diastolic = Math.Min(Drift(_diastolic, 3, 70, 90), _systolic - 25);
                _pulse = Drift(_pulse, 3, 55, 95);
                var mean = (int)Math.Round(_diastolic + (_systolic - _diastolic) / 3.0, MidpointRounding.AwayFromZero);
                foreach (var cuff in (ReadOnlySpan<int>)[60, _systolic + 10, _systolic + 30])
                {
                    // 0x2A36: the systolic field carries the cuff pressure, the others are NaN (Blood Pressure Service 1.1).
                    var inflating = new IntermediateCuffPressure(new BloodPressureMeasurement(new MedicalFloat(cuff), MedicalFloat.NaN, MedicalFloat.NaN, false));
                    Check(inflating.TryFormat(buffer, out var n));
                    intermediates.Add(buffer[..n].ToArray());
                }
                Check(new BloodPressureMeasurement(new MedicalFloat(_systolic), new MedicalFloat(_diastolic), new MedicalFloat(mean), false, stamp,
                    new MedicalFloat(_pulse), user).TryFormat(buffer, out written));
                values = new()
                {
                    ["systolic"] = (decimal)_systolic,
                    ["diastolic"] = (decimal)_diastolic,
                    ["mean"] = (decimal)mean,
                    ["pulse"] = (decimal)_pulse,
                    ["unit"] = Ucum.MillimetreMercury,
                };
                break;
            }
            case DeviceKind.Scale:
            {
                _weightSteps = Drift(_weightSteps, 40, 13_400, 14_600);
                var weight = new WeightMeasurement((ushort)_weightSteps, false, stamp, user);
                values = new() { ["weight"] = weight.Weight.Value, ["unit"] = Ucum.Kilogram };
                if (_count % 2 == 0)
                {
                    // Every other weighing the user is recognised and the scale adds BMI and height (1.750 m).
                    const ushort heightMillimetres = 1750;
                    var kilograms = _weightSteps * 0.005;
                    var bmi = (ushort)Math.Round(kilograms / (1.75 * 1.75) * 10, MidpointRounding.AwayFromZero);
                    weight = weight with { BmiRaw = bmi, HeightRaw = heightMillimetres };
                    values["bmi"] = weight.Bmi!.Value.Value;
                    values["height"] = weight.Height!.Value.Value;
                    values["heightUnit"] = Ucum.Centimetre;
                }
                Check(weight.TryFormat(buffer, out written));
                break;
            }
            case DeviceKind.Respiratory:
            {
                _respiration = Drift(_respiration, 2, 12, 20);
                var utc = deviceClock.UtcDateTime;
                var ghs = new GhsObservation(GhsNomenclature.MdcRespRate, GhsNomenclature.MdcDimRespPerMin, new MedicalFloat(_respiration),
                    GhsTimeStamp.FromUtc(deviceClock));
                Check(ghs.TryFormat(buffer, out written));
                observation = ghs;
                deviceTime = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                values = new() { ["rate"] = (decimal)_respiration, ["unit"] = Ucum.PerMinute };
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        var value = buffer[..written].ToArray();
        var reading = new SimulatedReading
        {
            Address = address,
            Kind = kind.Measures().ToTopicName(),
            Uuid = GattUuids.ToShort(uuid),
            Hex = Convert.ToHexStringLower(value),
            TakenAt = takenAt,
            DeviceTime = deviceTime,
            Values = values,
            Delivered = ReadingFate.Stored,
            User = kind is DeviceKind.BloodPressure or DeviceKind.Scale ? user : null,
        };
        return new Measurement(reading, value, intermediates, observation);
    }

    private int Drift(int current, int step, int min, int max) =>
        Math.Clamp(current + _random.Next(-step, step + 1), min, max);

    private static void Check(bool formatted)
    {
        if (!formatted)
        {
            throw new InvalidOperationException("a generated value did not fit its characteristic's layout");
        }
    }
}
