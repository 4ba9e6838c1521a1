using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Vitals.Devices;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The PHD IG's Coincident Time Stamp Observation (PHD IG STU 2, "Time Stamps and Time Synchronization" and the
/// PhdCoincidentTimeStampObservation profile): when the gateway corrects a device's time stamps by the offset it
/// measured on the device's clock (Current Time 0x2A2B), it records the pair it measured: code MDC 67975
/// MDC_ATTR_TIME_ABS, <c>valueDateTime</c> the device's clock and <c>effectiveDateTime</c> the gateway's, at the same
/// instant; the corrected Observations point at it by <c>derivedFrom</c>, so a reader can see (and undo) the
/// correction.
/// <para>
/// derivedFrom names it by identifier only (a logical reference, FHIR R4 Reference 2.3.0.1), never by server id or
/// urn:uuid: the R4 core vital-signs profile narrows <c>Observation.derivedFrom</c> to DocumentReference, ImagingStudy,
/// Media, QuestionnaireResponse, MolecularSequence and Observation(vitalsigns), so a resolvable reference from a vital
/// sign to this (not a vital sign) fails the profile (the Firely validator: "Missing required member: 'category'" on
/// the target); R4 validity wins over the link's resolvability. A search by that identifier finds it.
/// </para>
/// <para>
/// One per measurement of the clock, not per reading: its identifier is built only from the device, the instant of
/// the measurement and the offset (<see cref="IdentifierValue"/>), so every reading corrected by the same measurement,
/// and every resend, names the same one and the conditional creates file it once. It is about the device, not a
/// patient: no subject (a multi-user device's readings for several patients share it). The device's clock has no zone
/// (Bluetooth Date Time); its value is written as the instant it denotes in the gateway's zone, in UTC.
/// </para>
/// </summary>
public static class CoincidentTimeStamp
{
    public const string MdcTimeAbs = "67975";

    /// <summary>The Observation for <paramref name="reading"/>'s correction, or null when it was not corrected (or was stored before the measurement instant was kept).</summary>
    public static Observation? For(Reading reading, Device device, GatewayDevice gateway)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(gateway);
        if (reading.ClockCorrection is not { } offset || offset == TimeSpan.Zero || reading.ClockMeasuredAt is not { } measuredAt)
            return null;
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(FhirSystems.Mdc, MdcTimeAbs, "MDC_ATTR_TIME_ABS", "Coincident time stamp"),
            Effective = new FhirDateTime(Millisecond(measuredAt)),
            Value = new FhirDateTime(Millisecond(measuredAt + offset)),
            Device = new ResourceReference
            {
                Type = "Device",
                Identifier = (Identifier)device.Identifier[0].DeepCopy(),
                Display = device.DeviceName.FirstOrDefault()?.Name,
            },
        };
        observation.Identifier.Add(new Identifier(FhirSystems.ObservationIdentifier, IdentifierValue(reading.DeviceId, measuredAt, offset)));
        observation.Extension.Add(new Extension(FhirSystems.GatewayDeviceExtension, new ResourceReference
        {
            Type = "Device",
            Identifier = gateway.Identifier,
            Display = gateway.Display,
        }));
        return observation;
    }

    /// <summary>What a corrected Observation's <c>derivedFrom</c> holds: the Coincident Time Stamp by its identifier.</summary>
    public static ResourceReference Reference(Observation coincidentTimeStamp)
    {
        ArgumentNullException.ThrowIfNull(coincidentTimeStamp);
        return new ResourceReference
        {
            Type = "Observation",
            Identifier = (Identifier)coincidentTimeStamp.Identifier[0].DeepCopy(),
            Display = "Coincident time stamp",
        };
    }

    /// <summary>
    /// Lower-case hex of the first 16 bytes of SHA-256 over the UTF-8 text
    /// <c>cts|{device}|{measured at, UTC yyyy-MM-ddTHH:mm:ss.fffffffZ}|{offset in ticks of 100 ns}</c> (docs/fhir.md, "Time").
    /// </summary>
    public static string IdentifierValue(string deviceId, DateTimeOffset measuredAt, TimeSpan offset)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"cts|{deviceId}|{measuredAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}|{offset.Ticks}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    private static DateTimeOffset Millisecond(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
}
