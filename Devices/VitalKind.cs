namespace Vitals.Devices;

/// <summary>What a reading measures. Each kind maps to one R4 vital-signs profile.</summary>
public enum VitalKind
{
    BodyTemperature,
    BloodPressure,
    BodyWeight,
    RespiratoryRate,
    HeartRate,
    OxygenSaturation,
}

/// <summary>The kind names used in MQTT topics (README, "MQTT contract").</summary>
public static class VitalKindNames
{
    public static string ToTopicName(this VitalKind kind) => kind switch
    {
        VitalKind.BodyTemperature => "body-temperature",
        VitalKind.BloodPressure => "blood-pressure",
        VitalKind.BodyWeight => "body-weight",
        VitalKind.RespiratoryRate => "respiratory-rate",
        VitalKind.HeartRate => "heart-rate",
        VitalKind.OxygenSaturation => "oxygen-saturation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out VitalKind kind)
    {
        switch (name)
        {
            case "body-temperature": kind = VitalKind.BodyTemperature; return true;
            case "blood-pressure": kind = VitalKind.BloodPressure; return true;
            case "body-weight": kind = VitalKind.BodyWeight; return true;
            case "respiratory-rate": kind = VitalKind.RespiratoryRate; return true;
            case "heart-rate": kind = VitalKind.HeartRate; return true;
            case "oxygen-saturation": kind = VitalKind.OxygenSaturation; return true;
            default: kind = default; return false;
        }
    }

    public static readonly IReadOnlyList<VitalKind> All = Enum.GetValues<VitalKind>();
}
