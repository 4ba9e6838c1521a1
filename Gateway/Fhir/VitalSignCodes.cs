using System.Collections.Frozen;
using Vitals.Devices;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The one table of FHIR codes the gateway writes (docs/fhir.md; HL7 FHIR R4 §8.1 Vital Signs, ISO/IEEE 11073-10101): per kind the R4 core vital-signs profile, LOINC and MDC
/// codes and allowed UCUM units; the blood-pressure component and pulse codes; the temperature sites.
/// </summary>
public static class VitalSignCodes
{
    private const string ProfileBase = "http://hl7.org/fhir/StructureDefinition/";

    public const string HeartRateProfile = ProfileBase + "heartrate";

    public const string BmiProfile = ProfileBase + "bmi";

    public const string BodyHeightProfile = ProfileBase + "bodyheight";

    /// <summary>Body mass index a weighing scale reports with the weight (its own Observation).</summary>
    public static MeasurementCode Bmi { get; } =
        new("39156-5", "Body mass index (BMI) [Ratio]", "188752", "MDC_RATIO_MASS_BODY_LEN_SQ", "Body mass index");

    /// <summary>Body height a weighing scale reports with the weight (its own Observation).</summary>
    public static MeasurementCode BodyHeight { get; } =
        new("8302-2", "Body height", "188740", "MDC_LEN_BODY_ACTUAL", "Body height");

    /// <summary>The UCUM units the R4 bodyheight profile binds.</summary>
    public static IReadOnlyList<string> HeightUnits { get; } = [Ucum.Centimetre, Ucum.Inch];

    /// <summary>The UCUM unit the R4 bmi profile requires.</summary>
    public static IReadOnlyList<string> BmiUnits { get; } = [Ucum.KilogramPerSquareMetre];

    public static MeasurementCode Systolic { get; } =
        new("8480-6", "Systolic blood pressure", "150021", "MDC_PRESS_BLD_NONINV_SYS", "Systolic blood pressure");

    public static MeasurementCode Diastolic { get; } =
        new("8462-4", "Diastolic blood pressure", "150022", "MDC_PRESS_BLD_NONINV_DIA", "Diastolic blood pressure");

    public static MeasurementCode MeanArterial { get; } =
        new("8478-0", "Mean blood pressure", "150023", "MDC_PRESS_BLD_NONINV_MEAN", "Mean arterial pressure");

    /// <summary>Pulse rate reported by a blood-pressure cuff (or any non-oximeter device) with its measurement.</summary>
    public static MeasurementCode PulseFromCuff { get; } =
        new("8867-4", "Heart rate", "149546", "MDC_PULS_RATE_NON_INV", "Pulse rate");

    /// <summary>Pulse rate reported by a pulse oximeter with its SpO2 measurement.</summary>
    public static MeasurementCode PulseFromOximeter { get; } =
        new("8867-4", "Heart rate", "149530", "MDC_PULS_OXIM_PULS_RATE", "Pulse rate");

    private static readonly FrozenDictionary<VitalKind, VitalSignDefinition> Definitions = new VitalSignDefinition[]
    {
        new(VitalKind.BodyTemperature, ProfileBase + "bodytemp",
            new("8310-5", "Body temperature", "150364", "MDC_TEMP_BODY", "Body temperature"),
            [Ucum.Celsius, Ucum.Fahrenheit], "Thermometer"),
        new(VitalKind.BloodPressure, ProfileBase + "bp",
            new("85354-9", "Blood pressure panel with all children optional", "150020", "MDC_PRESS_BLD_NONINV", "Blood pressure"),
            [Ucum.MillimetreMercury], "Blood pressure monitor"),
        new(VitalKind.BodyWeight, ProfileBase + "bodyweight",
            new("29463-7", "Body weight", "188736", "MDC_MASS_BODY_ACTUAL", "Body weight"),
            [Ucum.Kilogram, Ucum.Gram, Ucum.Pound], "Weighing scale"),
        new(VitalKind.RespiratoryRate, ProfileBase + "resprate",
            new("9279-1", "Respiratory rate", "151562", "MDC_RESP_RATE", "Respiratory rate"),
            [Ucum.PerMinute], "Respiration rate monitor"),
        // A heart-rate device of its own (BLE Heart Rate service, chest strap) measures electrically; the PHD
        // nomenclature for that is MDC_ECG_HEART_RATE. A device that names its own type (a GHS record's 149530 or
        // 149546) keeps it (HeartRateCodeFor); pulse rates reported with BP or SpO2 use the codes above.
        new(VitalKind.HeartRate, HeartRateProfile,
            new("8867-4", "Heart rate", "147842", "MDC_ECG_HEART_RATE", "Heart rate"),
            [Ucum.PerMinute], "Heart rate monitor"),
        new(VitalKind.OxygenSaturation, ProfileBase + "oxygensat",
            new("2708-6", "Oxygen saturation in Arterial blood", "150456", "MDC_PULS_OXIM_SAT_O2", "Oxygen saturation (SpO2)",
                "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
            [Ucum.Percent], "Pulse oximeter"),
    }.ToFrozenDictionary(d => d.Kind);

    private static readonly FrozenDictionary<string, TemperatureSite> Sites = BuildSites();

    public static VitalSignDefinition For(VitalKind kind) =>
        Definitions.TryGetValue(kind, out var definition)
            ? definition
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no FHIR mapping for this kind");

    /// <summary>The pulse code for a pulse reported alongside a reading of <paramref name="kind"/>.</summary>
    public static MeasurementCode PulseCodeFor(VitalKind kind) =>
        kind == VitalKind.OxygenSaturation ? PulseFromOximeter : PulseFromCuff;

    /// <summary>
    /// The code of a heart-rate reading: the device's own MDC type where it named one (a GHS oximeter says 149530, a
    /// cuff 149546, an ECG 147842), else MDC_ECG_HEART_RATE for the Heart Rate service's chest strap and JSON.
    /// </summary>
    public static MeasurementCode HeartRateCodeFor(uint? mdcType) => mdcType switch
    {
        149530 => PulseFromOximeter,
        149546 => PulseFromCuff,
        _ => For(VitalKind.HeartRate).Code,
    };

    /// <summary>The known site for a device's site name (case-insensitive, with common aliases), or null.</summary>
    public static TemperatureSite? Site(string name) =>
        Sites.TryGetValue(name.Trim(), out var site) ? site : null;

    /// <summary>The human-readable unit for Quantity.unit (HL7 FHIR R4 Quantity: unit is the human form of code).</summary>
    public static string UnitText(string ucum, VitalKind measured) => ucum switch
    {
        Ucum.Celsius => "°C",
        Ucum.Fahrenheit => "°F",
        Ucum.Pound => "lb",
        Ucum.Inch => "in",
        Ucum.MillimetreMercury => "mmHg",
        Ucum.PerMinute => measured == VitalKind.RespiratoryRate ? "breaths/minute" : "beats/minute",
        _ => ucum,
    };

    private static FrozenDictionary<string, TemperatureSite> BuildSites()
    {
        // MDC terms of ISO/IEEE 11073-10101 (docs/fhir.md) (0x2A1D temperature type -> MDC); temporal and forehead have none there.
        // SNOMED CT body structures (concept ids of the International Edition): only where the site is a structure
        // a clinician would name; "body (general)", the GI tract and the temporal artery have none here.
        TemperatureSite[] sites =
        [
            new("axillary", "Axillary", "188452", "MDC_TEMP_AXILLA", "91470000", "Axillary region structure"),
            new("body", "Body (general)", "150364", "MDC_TEMP_BODY"),
            new("ear", "Ear", "188428", "MDC_TEMP_EAR", "117590005", "Ear structure"),
            new("finger", "Finger", "188432", "MDC_TEMP_FINGER", "7569003", "Finger structure"),
            new("gi-tract", "Gastro-intestinal tract", "188456", "MDC_TEMP_GIT"),
            new("oral", "Oral", "188424", "MDC_TEMP_ORAL", "123851003", "Mouth region structure"),
            new("rectal", "Rectal", "188420", "MDC_TEMP_RECT", "34402009", "Rectum structure"),
            new("toe", "Toe", "188448", "MDC_TEMP_TOE", "29707007", "Toe structure"),
            new("tympanic", "Tympanic membrane", "150392", "MDC_TEMP_TYMP", "42859004", "Tympanic membrane structure"),
            new("temporal", "Temporal artery"),
            new("forehead", "Forehead", Snomed: "52795006", SnomedDisplay: "Forehead structure"),
        ];
        var byName = sites.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, name) in new[] { ("axilla", "axillary"), ("mouth", "oral"), ("gi", "gi-tract"), ("rectum", "rectal"), ("temple", "temporal") })
        {
            byName[alias] = byName[name];
        }
        return byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
