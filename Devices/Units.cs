namespace Vitals.Devices;

/// <summary>
/// The unit texts devices send, mapped to the UCUM codes the gateway emits, and the units each kind accepts
/// (README, "MQTT contract"). This is the one place the alias table lives.
/// </summary>
public static class Units
{
    // Matched case-insensitively: people type "MMHG", "Kg" or "BPM", and no two entries collide once case is folded.
    private static readonly (string Text, string Ucum)[] Table =
    [
        (Ucum.Celsius, Ucum.Celsius),
        ("°C", Ucum.Celsius),
        ("C", Ucum.Celsius),
        (Ucum.Fahrenheit, Ucum.Fahrenheit),
        ("°F", Ucum.Fahrenheit),
        ("F", Ucum.Fahrenheit),
        (Ucum.Kilogram, Ucum.Kilogram),
        (Ucum.Gram, Ucum.Gram),
        (Ucum.Pound, Ucum.Pound),
        ("lb", Ucum.Pound),
        ("lbs", Ucum.Pound),
        (Ucum.MillimetreMercury, Ucum.MillimetreMercury),
        ("mmHg", Ucum.MillimetreMercury),
        (Ucum.Kilopascal, Ucum.Kilopascal),
        (Ucum.PerMinute, Ucum.PerMinute),
        ("bpm", Ucum.PerMinute),
        ("breaths/min", Ucum.PerMinute),
        (Ucum.Percent, Ucum.Percent),
    ];

    private static readonly string[] Temperature = [Ucum.Celsius, Ucum.Fahrenheit];
    private static readonly string[] Pressure = [Ucum.MillimetreMercury, Ucum.Kilopascal];
    private static readonly string[] Mass = [Ucum.Kilogram, Ucum.Gram, Ucum.Pound];
    private static readonly string[] Rate = [Ucum.PerMinute];
    private static readonly string[] Fraction = [Ucum.Percent];

    /// <summary>Every accepted unit text (UCUM codes and aliases) with the UCUM code it stands for.</summary>
    public static IReadOnlyList<(string Text, string Ucum)> Aliases => Table;

    /// <summary>Maps a unit text to its UCUM code if it is a unit of <paramref name="kind"/>.</summary>
    public static bool TryNormalize(string text, VitalKind kind, out string ucum) => TryNormalize(text.AsSpan(), kind, out ucum);

    /// <inheritdoc cref="TryNormalize(string, VitalKind, out string)"/>
    public static bool TryNormalize(ReadOnlySpan<char> text, VitalKind kind, out string ucum)
    {
        if (TryNormalize(text, out ucum) && IsUnitOf(kind, ucum))
        {
            return true;
        }
        ucum = "";
        return false;
    }

    /// <summary>True when <paramref name="ucum"/> (a UCUM code, not an alias) is one of the units of <paramref name="kind"/>.</summary>
    public static bool IsUnitOf(VitalKind kind, string ucum) => Array.IndexOf(Codes(kind), ucum) >= 0;

    /// <summary>Maps a unit text to its UCUM code, whatever the kind; false for texts that are no known unit.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, out string ucum)
    {
        text = text.Trim();
        foreach (var (alias, code) in Table)
        {
            if (text.Equals(alias, StringComparison.OrdinalIgnoreCase))
            {
                ucum = code;
                return true;
            }
        }
        ucum = "";
        return false;
    }

    /// <summary>The UCUM codes a kind may be reported in, the canonical one (<see cref="Canonical"/>) first.</summary>
    public static IReadOnlyList<string> Accepted(VitalKind kind) => Codes(kind);

    /// <summary>The unit <see cref="PlausibilityLimits"/> are expressed in for a kind.</summary>
    public static string Canonical(VitalKind kind) => Codes(kind)[0];

    /// <summary>
    /// The unit assumed when a device sends none: only kinds that have a single unit may omit it (README, "MQTT contract");
    /// null where the unit is required because a bare number would be ambiguous (Cel or [degF], kg or [lb_av]).
    /// </summary>
    public static string? Implied(VitalKind kind) => Codes(kind) is [var only] ? only : null;

    /// <summary>The accepted codes of a kind for messages: "Cel or [degF]", "kg, g or [lb_av]".</summary>
    public static string Describe(VitalKind kind) => Codes(kind) switch
    {
        [var only] => only,
        [.. var head, var last] => string.Join(", ", head) + " or " + last,
        [] => "",
    };

    private static string[] Codes(VitalKind kind) => kind switch
    {
        VitalKind.BodyTemperature => Temperature,
        VitalKind.BloodPressure => Pressure,
        VitalKind.BodyWeight => Mass,
        VitalKind.RespiratoryRate or VitalKind.HeartRate => Rate,
        VitalKind.OxygenSaturation => Fraction,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
