namespace Vitals.Devices;

/// <summary>
/// The fields of a <see cref="Reading"/> the plausibility rules judge, named as the MQTT contract spells its keys
/// (<see cref="ReadingFieldNames.ToName"/>). Each source turns one into its own location: the JSON decoder into a path
/// (<c>$.systolic</c>), each GATT characteristic into the byte offset of the field that carried it.
/// </summary>
public enum ReadingField
{
    Value,
    Systolic,
    Diastolic,
    Mean,
    Pulse,
    Time,
}

public static class ReadingFieldNames
{
    /// <summary>"value", "systolic", ...: the key of the MQTT contract.</summary>
    public static string ToName(this ReadingField field) => field switch
    {
        ReadingField.Value => "value",
        ReadingField.Systolic => "systolic",
        ReadingField.Diastolic => "diastolic",
        ReadingField.Mean => "mean",
        ReadingField.Pulse => "pulse",
        ReadingField.Time => "time",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };
}
