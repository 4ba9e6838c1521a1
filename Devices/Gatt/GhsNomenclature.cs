namespace Vitals.Devices.Gatt;

/// <summary>
/// The IEEE 11073-10101 (MDC) observation types and units of GHS simple numeric observations this gateway turns into
/// readings (docs/fhir.md, MDC table), with the UCUM code of each unit.
/// </summary>
public static class GhsNomenclature
{
    public const uint MdcTempBody = 150364;
    public const uint MdcRespRate = 151562;
    public const uint MdcEcgHeartRate = 147842;
    public const uint MdcPulsRateNonInv = 149546;
    public const uint MdcPulsOximPulsRate = 149530;
    public const uint MdcPulsOximSatO2 = 150456;
    public const uint MdcMassBodyActual = 188736;

    public const uint MdcDimDegC = 268192;
    public const uint MdcDimDegF = 266560;
    public const uint MdcDimRespPerMin = 264928;
    public const uint MdcDimBeatPerMin = 264864;
    public const uint MdcDimPercent = 262688;
    public const uint MdcDimKiloG = 263875;
    public const uint MdcDimLb = 263904;

    /// <summary>The reading kind of an MDC observation type, or false for types that are not one of the vital signs.</summary>
    public static bool TryGetKind(uint type, out VitalKind kind)
    {
        switch (type)
        {
            case MdcTempBody: kind = VitalKind.BodyTemperature; return true;
            case MdcRespRate: kind = VitalKind.RespiratoryRate; return true;
            case MdcEcgHeartRate or MdcPulsRateNonInv or MdcPulsOximPulsRate: kind = VitalKind.HeartRate; return true;
            case MdcPulsOximSatO2: kind = VitalKind.OxygenSaturation; return true;
            case MdcMassBodyActual: kind = VitalKind.BodyWeight; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>The UCUM code of an MDC unit, when it is a unit of <paramref name="kind"/>.</summary>
    public static bool TryGetUnit(VitalKind kind, uint unit, out string ucum)
    {
        ucum = (kind, unit) switch
        {
            (VitalKind.BodyTemperature, MdcDimDegC) => Ucum.Celsius,
            (VitalKind.BodyTemperature, MdcDimDegF) => Ucum.Fahrenheit,
            (VitalKind.RespiratoryRate, MdcDimRespPerMin) => Ucum.PerMinute,
            (VitalKind.HeartRate, MdcDimBeatPerMin) => Ucum.PerMinute,
            (VitalKind.OxygenSaturation, MdcDimPercent) => Ucum.Percent,
            (VitalKind.BodyWeight, MdcDimKiloG) => Ucum.Kilogram,
            (VitalKind.BodyWeight, MdcDimLb) => Ucum.Pound,
            _ => "",
        };
        return ucum.Length > 0;
    }

    /// <summary>The MDC unit code for a UCUM code of a kind (the simulator's direction).</summary>
    public static uint UnitFor(VitalKind kind, string ucum) => (kind, ucum) switch
    {
        (VitalKind.BodyTemperature, Ucum.Celsius) => MdcDimDegC,
        (VitalKind.BodyTemperature, Ucum.Fahrenheit) => MdcDimDegF,
        (VitalKind.RespiratoryRate, Ucum.PerMinute) => MdcDimRespPerMin,
        (VitalKind.HeartRate, Ucum.PerMinute) => MdcDimBeatPerMin,
        (VitalKind.OxygenSaturation, Ucum.Percent) => MdcDimPercent,
        (VitalKind.BodyWeight, Ucum.Kilogram) => MdcDimKiloG,
        (VitalKind.BodyWeight, Ucum.Pound) => MdcDimLb,
        _ => throw new ArgumentException($"no MDC unit for {ucum} as {kind}", nameof(ucum)),
    };
}
