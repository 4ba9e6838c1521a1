namespace Vitals.Devices;

/// <summary>
/// A measured number with its UCUM unit code, exactly as precise as the device said it (decimal keeps 37.60 as 37.60).
/// When the device sent a special value instead of a number, <see cref="Absent"/> says which and Value is 0.
/// </summary>
public readonly record struct Quantity(decimal Value, string Unit, AbsentReason Absent = AbsentReason.None)
{
    public bool HasValue => Absent == AbsentReason.None;

    public static Quantity Missing(AbsentReason reason, string unit) => new(0m, unit, reason);

    public override string ToString() => HasValue ? $"{Value} {Unit}" : $"({Absent}) {Unit}";
}

/// <summary>Why a value is absent; maps to FHIR dataAbsentReason (docs/fhir.md, PHD IG).</summary>
public enum AbsentReason
{
    None,
    NotANumber,        // not-a-number
    Error,             // error (NRes, invalid measurement)
    PositiveInfinity,  // positive-infinity
    NegativeInfinity,  // negative-infinity
    NotPerformed,      // not-performed (measurement not available)
}
