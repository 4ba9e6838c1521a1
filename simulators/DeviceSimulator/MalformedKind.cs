namespace Vitals.Simulators.DeviceSimulator;

/// <summary>The kinds of bad input the simulator sends (docs/architecture.md, "Bad input"); the gateway must reject each one.</summary>
public enum MalformedKind
{
    /// <summary>The payload is not valid JSON (cut off mid-object).</summary>
    MalformedJson,
    /// <summary>A unit that is neither a UCUM code nor an alias the contract lists.</summary>
    UnknownUnit,
    /// <summary>The value is the string "NaN" instead of a number.</summary>
    NaNString,
    /// <summary>A number outside the plausibility limits (80 Cel, 900 kg, ...).</summary>
    Implausible,
    /// <summary>Blood pressure with diastolic above systolic (blood-pressure devices only).</summary>
    DiastolicAboveSystolic,
    /// <summary>A time stamp two days ahead of the clock.</summary>
    FutureTime,
    /// <summary>A payload larger than the 16 KiB the contract allows (17 KiB).</summary>
    Oversize,
    /// <summary>A well-formed reading on a topic whose kind the contract does not know.</summary>
    UnknownKindTopic,
}
