using BenchmarkDotNet.Attributes;
using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// The GATT decoders' hot path (issue 3 targets: each characteristic parse allocation-free at 5 million/s or more on
/// one core; SFLOAT/FLOAT decode at 50 million/s). The values are the worked examples of docs/devices.md with every optional
/// field present where the characteristic has them.
/// </summary>
[MemoryDiagnoser]
public class GattBenchmarks
{
    private readonly byte[] _temperature = Convert.FromHexString("07B00E00FEEA070B19081E0006");
    private readonly byte[] _bloodPressure = Convert.FromHexString("1F78005000" + "5D00EA070B19081E00" + "4800" + "02" + "2500");
    private readonly byte[] _weight = Convert.FromHexString("0FB036EA070B19081E0001E500D606");
    private readonly byte[] _heartRate = Convert.FromHexString("1F480010000004");
    private readonly byte[] _plx = Convert.FromHexString("1F61004800EA070B19081E00004000000034F0");
    private readonly byte[] _ghs = Convert.FromHexString("011A0003000A500200" + "120859993200000004" + "E00A0400" + "10000000");
    private readonly ushort _sfloat = 0xF065;
    private readonly uint _float = 0xFE000EB0;

    /// <summary>Measuring the refusal path by mistake would flatter the figures: every input must parse.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!(SfloatDecode() && FloatDecode() && TemperatureMeasurement() && BloodPressureMeasurement() && WeightMeasurement()
            && HeartRateMeasurement() && PlxSpotCheckMeasurement() && GhsObservation()))
        {
            throw new InvalidOperationException("a benchmark input does not parse");
        }
    }

    [Benchmark] public bool SfloatDecode() => Sfloat.TryDecode(_sfloat, out _);
    [Benchmark] public bool FloatDecode() => Float32.TryDecode(_float, out _);
    [Benchmark] public bool TemperatureMeasurement() => Vitals.Devices.Gatt.TemperatureMeasurement.TryParse(_temperature, out _, out _);
    [Benchmark] public bool BloodPressureMeasurement() => Vitals.Devices.Gatt.BloodPressureMeasurement.TryParse(_bloodPressure, out _, out _);
    [Benchmark] public bool WeightMeasurement() => Vitals.Devices.Gatt.WeightMeasurement.TryParse(_weight, out _, out _);
    [Benchmark] public bool HeartRateMeasurement() => Vitals.Devices.Gatt.HeartRateMeasurement.TryParse(_heartRate, out _, out _);
    [Benchmark] public bool PlxSpotCheckMeasurement() => Vitals.Devices.Gatt.PlxSpotCheckMeasurement.TryParse(_plx, out _, out _);
    [Benchmark] public bool GhsObservation() => Vitals.Devices.Gatt.GhsObservation.TryParse(_ghs, out _, out _);
}
