using System.Globalization;
using System.Text;
using Vitals.Devices;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// A patient's reading in plain words ("Blood pressure 128 over 82, pulse 71, on 5 December at 10:42") and where it
/// stands ("sent to your care team at 10:42"), in the gateway's local time zone: what the patient's clock shows.
/// </summary>
internal static class ReadingWords
{
    public static string Describe(PatientReading reading, TimeZoneInfo zone) =>
        $"{Value(reading.Reading)}, on {When(reading.Reading.EffectiveTime, zone)}: {State(reading, zone)}";

    public static string Value(Reading r) => r.Kind switch
    {
        VitalKind.BloodPressure => "Blood pressure " + Number(r.Systolic) + " over " + Number(r.Diastolic)
            + (r.Pulse is { } pulse ? ", pulse " + Number(pulse) : ""),
        VitalKind.BodyTemperature => "Temperature " + WithUnit(r.Value),
        VitalKind.BodyWeight => "Weight " + WithUnit(r.Value),
        VitalKind.RespiratoryRate => "Breathing rate " + WithUnit(r.Value),
        VitalKind.HeartRate => "Pulse " + WithUnit(r.Value),
        VitalKind.OxygenSaturation => "Oxygen level " + WithUnit(r.Value),
        _ => "Reading " + WithUnit(r.Value),
    };

    public static string State(PatientReading reading, TimeZoneInfo zone) => reading.State switch
    {
        PatientReadingState.Delivered when reading.DeliveredAt is { } at => "sent to your care team at " + Clock(at, zone),
        PatientReadingState.Delivered => "sent to your care team",
        PatientReadingState.Dead => "could not be sent: your care team has been told",
        _ => "waiting to be sent",
    };

    public static string When(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return local.ToString("d MMMM", CultureInfo.InvariantCulture) + " at " + Clock(at, zone);
    }

    public static string Clock(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The number the chart draws for a reading (systolic for blood pressure), or null when absent.</summary>
    public static double? Plotted(Reading r) =>
        (r.Kind == VitalKind.BloodPressure ? r.Systolic : r.Value) is { Absent: AbsentReason.None } q ? (double)q.Value : null;

    public static double? Lower(Reading r) =>
        r.Kind == VitalKind.BloodPressure && r.Diastolic is { Absent: AbsentReason.None } q ? (double)q.Value : null;

    public static string Unit(string unit) => unit switch
    {
        Ucum.Celsius => "°C",
        Ucum.Fahrenheit => "°F",
        Ucum.Pound => "lb",
        Ucum.MillimetreMercury => "mmHg",
        Ucum.PerMinute => "per minute",
        Ucum.Inch => "in",
        _ => unit,
    };

    private static string WithUnit(Quantity? q) =>
        q is { Absent: AbsentReason.None } v ? Number(v) + (v.Unit == Ucum.Percent ? "%" : " " + Unit(v.Unit)) : "not measured";

    private static string Number(Quantity? q) =>
        q is { Absent: AbsentReason.None } v ? v.Value.ToString("0.##", CultureInfo.InvariantCulture) : "not measured";

    /// <summary>A stable element id for a slot's list: the page and the event stream name the same list.</summary>
    public static string ListId(string deviceId, int? user) =>
        "readings-" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(deviceId + "/" + user?.ToString(CultureInfo.InvariantCulture)));
}
