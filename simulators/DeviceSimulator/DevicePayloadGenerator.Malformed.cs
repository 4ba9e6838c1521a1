using System.Globalization;
using System.Text;
using System.Text.Json;
using Vitals.Devices;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>The messages of one simulated device that the gateway must reject (docs/architecture.md, "Bad input").</summary>
public sealed partial class DevicePayloadGenerator
{
    /// <summary>The topic kind used for <see cref="MalformedKind.UnknownKindTopic"/>: not one of the contract's six.</summary>
    public const string UnknownKindTopicName = "blood-glucose";

    /// <summary>The unit used for <see cref="MalformedKind.UnknownUnit"/>: neither UCUM nor a listed alias.</summary>
    public const string UnknownUnit = "furlongs";

    /// <summary>Size of an oversize payload: above the contract's 16 KiB.</summary>
    public const int OversizeBytes = 17 * 1024;

    /// <summary>The malformed kinds that make sense for a device of this kind.</summary>
    public static IReadOnlyList<MalformedKind> MalformedKindsFor(VitalKind kind) =>
        kind == VitalKind.BloodPressure
            ? Enum.GetValues<MalformedKind>()
            : Enum.GetValues<MalformedKind>().Where(k => k != MalformedKind.DiastolicAboveSystolic).ToArray();

    /// <summary>A message the gateway must reject, of the given kind.</summary>
    public SimulatedMessage NextMalformed(DateTimeOffset now, MalformedKind kind)
    {
        if (!MalformedKindsFor(Device.Kind).Contains(kind))
        {
            throw new ArgumentException($"{kind} does not apply to a {Device.Kind.ToTopicName()} device", nameof(kind));
        }
        var sequence = ++LastSequence;
        var topic = Device.Topic;
        byte[] payload;
        switch (kind)
        {
            case MalformedKind.MalformedJson:
                var whole = Write(writer =>
                {
                    WriteMeasurement(writer);
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                });
                // Cut inside the object: whatever the cut point, the closing brace is missing.
                payload = whole[..(whole.Length / 2)];
                break;
            case MalformedKind.UnknownUnit:
                payload = Write(writer =>
                {
                    WriteMeasurement(writer, unitOverride: UnknownUnit);
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                });
                break;
            case MalformedKind.NaNString:
                payload = Write(writer =>
                {
                    if (Device.Kind == VitalKind.BloodPressure)
                    {
                        writer.WriteString("systolic", "NaN");
                        writer.WriteNumber("diastolic", 80);
                        writer.WriteString("unit", "mm[Hg]");
                    }
                    else
                    {
                        writer.WriteString("value", "NaN");
                        writer.WriteString("unit", Units.Canonical(Device.Kind));
                    }
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                });
                break;
            case MalformedKind.Implausible:
                payload = Write(writer =>
                {
                    if (Device.Kind == VitalKind.BloodPressure)
                    {
                        writer.WriteNumber("systolic", 400);
                        writer.WriteNumber("diastolic", 80);
                    }
                    else
                    {
                        writer.WriteNumber("value", ImplausibleValue(Device.Kind));
                    }
                    writer.WriteString("unit", Units.Canonical(Device.Kind));
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                });
                break;
            case MalformedKind.DiastolicAboveSystolic:
                payload = Write(writer =>
                {
                    writer.WriteNumber("systolic", 80);
                    writer.WriteNumber("diastolic", 120);
                    writer.WriteString("unit", "mm[Hg]");
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                });
                break;
            case MalformedKind.FutureTime:
                payload = Write(writer =>
                {
                    WriteMeasurement(writer);
                    WriteTime(writer, now.AddDays(2));
                    writer.WriteNumber("id", sequence);
                });
                break;
            case MalformedKind.Oversize:
                payload = Write(writer =>
                {
                    WriteMeasurement(writer);
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                    writer.WriteString("note", new string('x', OversizeBytes));
                });
                break;
            case MalformedKind.UnknownKindTopic:
                topic = $"vitals/{Device.Id}/{UnknownKindTopicName}";
                payload = Write(writer =>
                {
                    writer.WriteNumber("value", 5.4m);
                    writer.WriteString("unit", "mmol/L");
                    WriteTime(writer, now);
                    writer.WriteNumber("id", sequence);
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        return new SimulatedMessage(Device, topic, payload, sequence, kind);
    }

    private static decimal ImplausibleValue(VitalKind kind) => kind switch
    {
        VitalKind.BodyTemperature => 80m,
        VitalKind.BodyWeight => 900m,
        VitalKind.RespiratoryRate => 120m,
        VitalKind.HeartRate => 400m,
        VitalKind.OxygenSaturation => 130m,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
