using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// <c>validator-memory</c>: resident and managed memory of this process before the validator loads and after it has
/// validated a reading of every kind the gateway maps (every profile compiled), with the cold-start times. RSS is
/// VmRSS from /proc (BenchmarkDotNet measures allocations, not what stays resident).
/// </summary>
internal static class ValidatorMemory
{
    public static int Run()
    {
        var mapper = new ReadingMapper(Options.Create(new FhirOptions()));
        var patient = PatientId.Parse("Patient/123");
        var at = new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1));
        Reading Single(VitalKind kind, decimal value, string unit) => new()
        {
            DeviceId = $"dev-{kind}", Kind = kind, EffectiveTime = at, DeviceTime = "2026-11-25T08:30:00+01:00",
            Value = new Quantity(value, unit), Pulse = kind == VitalKind.OxygenSaturation ? new Quantity(70m, Ucum.PerMinute) : null,
        };
        Reading[] readings =
        [
            ValidationBenchmarks.Temperature(0),
            ValidationBenchmarks.BloodPressure(0),
            Single(VitalKind.BodyWeight, 81.4m, Ucum.Kilogram),
            Single(VitalKind.RespiratoryRate, 16m, Ucum.PerMinute),
            Single(VitalKind.HeartRate, 64m, Ucum.PerMinute),
            Single(VitalKind.OxygenSaturation, 97m, Ucum.Percent),
        ];
        var mapped = readings.Select(r => mapper.Map(r, patient)).ToList();
        Report("before the validator", null);

        var validator = new ObservationValidator(TimeProvider.System, NullLogger<ObservationValidator>.Instance);
        var clock = Stopwatch.StartNew();
        foreach (var (reading, m) in readings.Zip(mapped))
        {
            var started = clock.Elapsed;
            var result = validator.Validate(m);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"first {reading.Kind.ToTopicName()}: {(clock.Elapsed - started).TotalMilliseconds:0} ms, {(result.IsValid ? "valid" : result.Summary())}"));
        }
        Report("after every profile compiled", clock.Elapsed);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Report("after an aggressive GC (memory given back to the OS)", null);
        return 0;
    }

    private static void Report(string when, TimeSpan? elapsed)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{when}: {rss.Replace("VmRSS:", "RSS", StringComparison.Ordinal).Trim()}, managed heap {GC.GetTotalMemory(false) / 1048576.0:0.0} MB{(elapsed is { } e ? $", cold start {e.TotalSeconds:0.0} s" : "")}"));
    }
}
