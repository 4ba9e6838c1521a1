using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vitals.Devices;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// The payloads of one simulated device, following the MQTT contract (README, "MQTT contract"): a patient baseline drawn once, slow
/// random drift and measurement noise, the device's own unit (sometimes an alternative unit or a typed alias) and
/// precision, optional fields, a time stamp with an offset and an increasing <c>id</c> so a resend is recognisable.
/// Deterministic for a given device and seed; the caller supplies the clock. The messages the gateway must reject are
/// in DevicePayloadGenerator.Malformed.cs.
/// </summary>
public sealed partial class DevicePayloadGenerator
{
    private static readonly string[] TemperatureSites = ["oral", "axillary", "tympanic", "forehead", "temporal", "rectal"];

    private readonly Random _random;
    private readonly double _baseline;
    private readonly double _secondBaseline;
    private readonly double _pulseBaseline;
    private readonly int _decimals;
    private readonly bool _reportsUtc;
    private readonly bool _sendsMean;
    private readonly bool _sendsPulse;
    private readonly string? _site;
    private double _drift;
    private double _secondDrift;

    public DevicePayloadGenerator(SimulatedDevice device, int seed)
    {
        Device = device;
        _random = new Random(DeviceSeed(seed, device));
        _reportsUtc = _random.NextDouble() < 0.2;
        switch (device.Kind)
        {
            case VitalKind.BodyTemperature:
                _baseline = Uniform(36.4, 37.2);
                Unit = Pick(("Cel", 60), ("°C", 10), ("C", 5), ("[degF]", 15), ("°F", 5), ("F", 5));
                _decimals = _random.NextDouble() < 0.5 ? 1 : 2;
                _site = _random.NextDouble() < 0.6 ? TemperatureSites[_random.Next(TemperatureSites.Length)] : null;
                break;
            case VitalKind.BloodPressure:
                _baseline = Uniform(110, 150);
                _secondBaseline = Math.Min(Uniform(70, 95), _baseline - 30);
                _pulseBaseline = Uniform(55, 95);
                Unit = Pick(("mm[Hg]", 75), ("mmHg", 15), ("kPa", 10));
                _decimals = Unit == "kPa" ? 1 : 0;
                _sendsMean = _random.NextDouble() < 0.5;
                _sendsPulse = _random.NextDouble() < 0.7;
                break;
            case VitalKind.BodyWeight:
                _baseline = Uniform(50, 120);
                Unit = Pick(("kg", 70), ("[lb_av]", 10), ("lb", 8), ("lbs", 7), ("g", 5));
                _decimals = Unit == "g" ? 0 : 1;
                break;
            case VitalKind.RespiratoryRate:
                _baseline = Uniform(12, 20);
                Unit = Pick(("/min", 80), ("breaths/min", 20));
                break;
            case VitalKind.HeartRate:
                _baseline = Uniform(55, 95);
                Unit = Pick(("/min", 75), ("bpm", 25));
                break;
            case VitalKind.OxygenSaturation:
                _baseline = Uniform(94, 99);
                Unit = "%";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(device), device.Kind, "unknown vital kind");
        }
    }

    public SimulatedDevice Device { get; }

    /// <summary>The unit token this device writes in good readings (a UCUM code or an alias from the contract).</summary>
    public string Unit { get; }

    /// <summary>The last <c>id</c> used; the next message carries LastSequence + 1.</summary>
    public long LastSequence { get; private set; }

    /// <summary>A good reading taken at <paramref name="now"/>.</summary>
    public SimulatedMessage NextReading(DateTimeOffset now)
    {
        var sequence = ++LastSequence;
        var payload = Write(writer =>
        {
            WriteMeasurement(writer);
            WriteTime(writer, now);
            writer.WriteNumber("id", sequence);
            WriteOptional(writer);
        });
        return new SimulatedMessage(Device, Device.Topic, payload, sequence, null);
    }

    private void WriteMeasurement(Utf8JsonWriter writer, string? unitOverride = null)
    {
        var unit = unitOverride ?? Unit;
        switch (Device.Kind)
        {
            case VitalKind.BodyTemperature:
            {
                var celsius = Math.Clamp(_baseline + Step(ref _drift, 0.02, 0.95) + Normal(0.08), 35.5, 38.5);
                var inFahrenheit = Unit is "[degF]" or "°F" or "F";
                writer.WriteNumber("value", Fixed(inFahrenheit ? celsius * 9 / 5 + 32 : celsius, _decimals));
                writer.WriteString("unit", unit);
                break;
            }
            case VitalKind.BloodPressure:
            {
                var systolic = Math.Clamp(Math.Round(_baseline + Step(ref _drift, 1.0, 0.9) + Normal(4)), 85, 200);
                var diastolic = Math.Clamp(Math.Round(_secondBaseline + Step(ref _secondDrift, 0.8, 0.9) + Normal(3)), 50, 120);
                diastolic = Math.Min(diastolic, systolic - 15);
                var mean = Math.Round(diastolic + (systolic - diastolic) / 3);
                var inKilopascal = Unit == "kPa";
                double Pressure(double mmHg) => inKilopascal ? mmHg / (double)Ucum.MillimetresMercuryPerKilopascal : mmHg;
                writer.WriteNumber("systolic", Fixed(Pressure(systolic), _decimals));
                writer.WriteNumber("diastolic", Fixed(Pressure(diastolic), _decimals));
                if (_sendsMean)
                {
                    writer.WriteNumber("mean", Fixed(Pressure(mean), _decimals));
                }
                if (_sendsPulse)
                {
                    writer.WriteNumber("pulse", (int)Math.Clamp(Math.Round(_pulseBaseline + Normal(4)), 40, 150));
                }
                writer.WriteString("unit", unit);
                break;
            }
            case VitalKind.BodyWeight:
            {
                var kilograms = Math.Clamp(_baseline + Step(ref _drift, 0.05, 0.98) + Normal(0.15), _baseline - 5, _baseline + 5);
                var value = Unit switch
                {
                    "[lb_av]" or "lb" or "lbs" => kilograms / 0.45359237,
                    "g" => kilograms * 1000,
                    _ => kilograms,
                };
                writer.WriteNumber("value", Fixed(value, _decimals));
                writer.WriteString("unit", unit);
                break;
            }
            case VitalKind.RespiratoryRate:
                writer.WriteNumber("value", (int)Math.Clamp(Math.Round(_baseline + Normal(1.2)), 8, 30));
                writer.WriteString("unit", unit);
                break;
            case VitalKind.HeartRate:
                writer.WriteNumber("value", (int)Math.Clamp(Math.Round(_baseline + Step(ref _drift, 1.0, 0.9) + Normal(3)), 40, 150));
                writer.WriteString("unit", unit);
                break;
            case VitalKind.OxygenSaturation:
                writer.WriteNumber("value", (int)Math.Clamp(Math.Round(_baseline + Normal(0.8)), 88, 100));
                writer.WriteString("unit", unit);
                break;
            default:
                throw new InvalidOperationException($"unknown vital kind {Device.Kind}");
        }
    }

    private void WriteTime(Utf8JsonWriter writer, DateTimeOffset when)
    {
        // Whole seconds, as most devices report; the offset is the device's (its local one, or UTC for some).
        var truncated = new DateTimeOffset(when.Ticks - when.Ticks % TimeSpan.TicksPerSecond, when.Offset);
        var text = _reportsUtc
            ? truncated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : truncated.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        writer.WriteString("time", text);
    }

    private void WriteOptional(Utf8JsonWriter writer)
    {
        if (_site is not null)
        {
            writer.WriteString("site", _site);
        }
        List<string>? flags = null;
        void Flag(string name, double probability)
        {
            if (_random.NextDouble() < probability)
            {
                (flags ??= []).Add(name);
            }
        }
        switch (Device.Kind)
        {
            case VitalKind.BloodPressure:
                Flag("irregular-pulse", 0.03);
                Flag("body-movement", 0.02);
                Flag("cuff-loose", 0.01);
                break;
            case VitalKind.HeartRate:
            case VitalKind.OxygenSaturation:
                Flag("body-movement", 0.01);
                break;
        }
        if (flags is not null)
        {
            writer.WriteStartArray("status");
            foreach (var flag in flags)
            {
                writer.WriteStringValue(flag);
            }
            writer.WriteEndArray();
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        // Relaxed escaping writes "°C" as UTF-8, as a device would, rather than as \u00B0C.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Rounds to the device's precision and keeps that many decimals (37.2 with 2 decimals is "37.20").</summary>
    private static decimal Fixed(double value, int decimals)
    {
        var rounded = Math.Round((decimal)value, decimals, MidpointRounding.AwayFromZero);
        return decimals == 0 ? rounded : rounded + new decimal(0, 0, 0, false, (byte)decimals);
    }

    /// <summary>A mean-reverting random walk: the slow drift of a patient's values between readings.</summary>
    private double Step(ref double drift, double sigma, double keep)
    {
        drift = drift * keep + Normal(sigma);
        return drift;
    }

    private double Normal(double sigma)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1] so the logarithm is finite.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private double Uniform(double min, double max) => min + (max - min) * _random.NextDouble();

    private string Pick(params (string Value, int Weight)[] choices)
    {
        var roll = _random.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if (roll < weight)
            {
                return value;
            }
            roll -= weight;
        }
        return choices[^1].Value;
    }

    /// <summary>A per-device seed that does not depend on the process (string.GetHashCode is randomised per process).</summary>
    private static int DeviceSeed(int seed, SimulatedDevice device)
    {
        unchecked
        {
            var hash = (uint)seed * 2654435761u;
            foreach (var b in Encoding.UTF8.GetBytes(device.Id))
            {
                hash = (hash ^ b) * 16777619u;
            }
            return (int)(hash & 0x7FFFFFFF);
        }
    }
}
