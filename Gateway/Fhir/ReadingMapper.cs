using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Quantity = Vitals.Devices.Quantity;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// Turns one <see cref="Reading"/> into its measuring Device and one Observation per measurement, each valid against
/// the R4 core vital-signs profile for its kind (HL7 FHIR R4 §8.1 Vital Signs; README "FHIR output"). Pure: no I/O, no clock.
/// A reading that breaks the decoders' guarantees (wrong unit for its kind, missing value) is a bug and throws
/// <see cref="ArgumentException"/>.
/// </summary>
public sealed class ReadingMapper(IOptions<FhirOptions> options, GatewayDevice? gateway = null)
{
    private readonly FhirOptions _options = options.Value;
    private readonly GatewayDevice _gateway = gateway ?? new GatewayDevice(options);

    /// <param name="information">What the device said about itself (its stored record), mapped onto the Device.</param>
    public MappedReading Map(Reading reading, PatientId? patient, DeviceInformation? information = null)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var definition = VitalSignCodes.For(reading.Kind);
        var device = CreateDevice(reading, definition, information);

        var observations = new List<Observation>(2);
        var primary = NewObservation(reading, patient, definition.Profile, PrimaryCode(reading, definition), device, reading.Status);
        if (reading.Kind == VitalKind.BloodPressure)
        {
            AddBloodPressureComponents(primary, reading);
        }
        else
        {
            var value = reading.Value ?? throw new ArgumentException($"a {reading.Kind.ToTopicName()} reading needs Value", nameof(reading));
            SetValue(primary, value, reading, definition.Units, reading.Kind);
        }
        if (reading.Kind == VitalKind.BodyTemperature && reading.Site is { Length: > 0 } site)
        {
            AddSite(primary, site);
        }
        observations.Add(primary);

        if (reading.Kind == VitalKind.BodyWeight)
        {
            // A scale's BMI and height are measurements of their own (R4 bmi and bodyheight profiles), each with its
            // own de-duplication identifier (the LOINC code is part of it).
            if (reading.Bmi is { } bmi)
            {
                var observation = NewObservation(reading, patient, VitalSignCodes.BmiProfile, VitalSignCodes.Bmi, device, reading.Status);
                SetValue(observation, bmi, reading, VitalSignCodes.BmiUnits, reading.Kind);
                observations.Add(observation);
            }
            if (reading.Height is { } height)
            {
                var observation = NewObservation(reading, patient, VitalSignCodes.BodyHeightProfile, VitalSignCodes.BodyHeight, device, reading.Status);
                SetValue(observation, height, reading, VitalSignCodes.HeightUnits, reading.Kind);
                observations.Add(observation);
            }
        }
        else if (reading.Bmi is not null || reading.Height is not null)
        {
            throw new ArgumentException($"a {reading.Kind.ToTopicName()} reading cannot carry BMI or height", nameof(reading));
        }

        if (reading.Pulse is { } pulse)
        {
            if (reading.Kind == VitalKind.HeartRate)
            {
                // Both would be 8867-4 Observations with the same de-duplication identifier.
                throw new ArgumentException("a heart-rate reading cannot carry a separate pulse", nameof(reading));
            }
            // Only the pulse-related device flags concern the heart-rate Observation; cuff fit and posture are about
            // the pressure measurement.
            var pulseFlags = reading.Status & ~(MeasurementStatus.BodyMovement | MeasurementStatus.CuffLoose | MeasurementStatus.ImproperPosition);
            var heartRate = NewObservation(reading, patient, VitalSignCodes.HeartRateProfile, VitalSignCodes.PulseCodeFor(reading.Kind), device, pulseFlags);
            SetValue(heartRate, pulse, reading, [Ucum.PerMinute], VitalKind.HeartRate);
            observations.Add(heartRate);
        }
        // PHD IG: Observations whose time the gateway corrected are derived from the Coincident Time Stamp.
        var coincident = CoincidentTimeStamp.For(reading, device, _gateway);
        if (coincident is not null)
        {
            foreach (var observation in observations)
                observation.DerivedFrom.Add(CoincidentTimeStamp.Reference(coincident));
        }
        return new MappedReading(device, observations) { CoincidentTimeStamp = coincident };
    }

    /// <summary>
    /// The primary Observation's code: a temperature's site-specific MDC term (PHD IG: Observation.code carries the
    /// device's type; 8310-5 stays the LOINC coding the bodytemp profile requires); a heart rate's own MDC type.
    /// </summary>
    private static MeasurementCode PrimaryCode(Reading reading, VitalSignDefinition definition)
    {
        if (reading.Kind == VitalKind.HeartRate)
        {
            return VitalSignCodes.HeartRateCodeFor(reading.MdcType);
        }
        if (reading.Kind == VitalKind.BodyTemperature && reading.Site is { Length: > 0 } site
            && VitalSignCodes.Site(site) is { Mdc: { } mdc, MdcReferenceId: { } referenceId })
        {
            return definition.Code with { Mdc = mdc, MdcReferenceId = referenceId };
        }
        return definition.Code;
    }

    private Device CreateDevice(Reading reading, VitalSignDefinition definition, DeviceInformation? information)
    {
        var device = new Device
        {
            Status = Device.FHIRDeviceStatus.Active,
            Type = Concept(FhirSystems.Mdc, "65573", "MDC_MOC_VMS_MDS_SIMP", definition.DeviceLabel),
        };
        // First: the sender's conditional create and every Observation.device are on identifier[0].
        device.Identifier.Add(DeviceIdentifier.Create(reading.DeviceId, _options));
        device.DeviceName.Add(new Device.DeviceNameComponent
        {
            Name = DeviceName(reading, definition),
            Type = DeviceNameType.UserFriendlyName,
        });
        PhdDeviceDescription.Describe(device, reading.Kind, DeviceIdentifier.IsBluetoothAddress(reading.DeviceId), information);
        return device;
    }

    private static string DeviceName(Reading reading, VitalSignDefinition definition) => $"{definition.DeviceLabel} {reading.DeviceId}";

    private Observation NewObservation(
        Reading reading, PatientId? patient, string profile, MeasurementCode code, Device device, MeasurementStatus flags)
    {
        var observation = new Observation
        {
            Meta = new Meta { Profile = [profile] },
            Status = Status(flags),
            Code = code.ToCodeableConcept(),
            Effective = new FhirDateTime(TruncateToMilliseconds(reading.EffectiveTime)),
            Device = new ResourceReference
            {
                Type = "Device",
                Identifier = (Identifier)device.Identifier[0].DeepCopy(),
                Display = device.DeviceName[0].Name,
            },
        };
        observation.Identifier.Add(ObservationIdentifier.Create(_options.IdentifierSystem, reading, patient, code));
        // vital-signs must stay the first category: EHRs that take exactly one (Oracle Health; docs/ehr.md) keep category[0].
        observation.Category.Add(Concept(FhirSystems.ObservationCategory, "vital-signs", "Vital Signs"));
        observation.Category.Add(Concept(FhirSystems.PhdObservationCategory, "phd", "PHD generated"));
        observation.Subject = Subject(patient);
        observation.Extension.Add(new Extension(FhirSystems.GatewayDeviceExtension, new ResourceReference
        {
            Type = "Device",
            Identifier = _gateway.Identifier,
            Display = _gateway.Display,
        }));

        if (flags.HasFlag(MeasurementStatus.TestData))
        {
            // PHD IG: test data carries the HTEST security label; only Ehr:DeliverTestData lets it out at all, and no
            // Ehr:Compatibility:Omit removes it.
            observation.Meta.Security.Add(new Coding(FhirSystems.ActReason, "HTEST", "test health data"));
        }
        AddTimeQuality(observation, reading);
        AddInterpretations(observation, flags);
        AddDeviceFlagNotes(observation, flags);
        AddSensorStatus(observation, reading);
        return observation;
    }

    /// <summary>
    /// PHD IG (PhdBaseObservation, status and measurement status): an invalid measurement is entered-in-error (it is
    /// only mapped at all with Fhir:UploadInvalid; otherwise it stays in the rejected store); an early estimate, or a
    /// value taken while the device was still measuring, is preliminary; everything else final.
    /// </summary>
    private static ObservationStatus Status(MeasurementStatus flags)
    {
        if (flags.HasFlag(MeasurementStatus.Invalid))
        {
            return ObservationStatus.EnteredInError;
        }
        return (flags & (MeasurementStatus.EarlyEstimate | MeasurementStatus.MeasurementOngoing)) != 0
            ? ObservationStatus.Preliminary
            : ObservationStatus.Final;
    }

    private static ResourceReference? Subject(PatientId? patient)
    {
        if (patient is null)
        {
            // decode without --patient: the output shows what the device said, it is not for delivery.
            return null;
        }
        if (patient.Reference is not null)
        {
            return new ResourceReference(patient.Reference);
        }
        return new ResourceReference
        {
            Type = "Patient",
            Identifier = new Identifier(patient.IdentifierSystem, patient.IdentifierValue),
        };
    }

    private static void AddBloodPressureComponents(Observation panel, Reading reading)
    {
        var systolic = reading.Systolic ?? throw new ArgumentException("a blood-pressure reading needs Systolic", nameof(reading));
        var diastolic = reading.Diastolic ?? throw new ArgumentException("a blood-pressure reading needs Diastolic", nameof(reading));
        panel.Component.Add(PressureComponent(VitalSignCodes.Systolic, systolic, reading));
        panel.Component.Add(PressureComponent(VitalSignCodes.Diastolic, diastolic, reading));
        if (reading.MeanArterial is { } mean)
        {
            panel.Component.Add(PressureComponent(VitalSignCodes.MeanArterial, mean, reading));
        }
    }

    private static Observation.ComponentComponent PressureComponent(MeasurementCode code, Quantity quantity, Reading reading)
    {
        // The PHD IG's compound numeric profile wants each component's MDC term next to LOINC, but the R4 core bp
        // profile slices Observation.component with *value* discriminators on code.coding.code and code.coding.system:
        // a path through the repeating coding, which resolves to two values once a second coding is there. The Firely
        // validator then matches no slice ("No elements matched required slice", checked with this very mapper), a
        // known defect of the R4 profile (HL7 Jira FHIR-23070, changed to pattern discriminators only after R4; the
        // Java validator had the same trouble, GF#21472). R4 validity wins: components carry LOINC only; the panel's
        // code carries MDC_PRESS_BLD_NONINV and docs/fhir.md lists the component MDC terms.
        var component = new Observation.ComponentComponent { Code = code.ToCodeableConcept(includeMdc: false) };
        var reason = DataAbsentReason(quantity, reading.Status);
        if (reason is not null)
        {
            component.DataAbsentReason = reason;
            return component;
        }
        var mmHg = quantity.Unit switch
        {
            Ucum.MillimetreMercury => quantity.Value,
            Ucum.Kilopascal => PressureConversion.KilopascalToMillimetresMercury(quantity.Value),
            _ => throw new ArgumentException($"blood pressure in '{quantity.Unit}'; expected {Ucum.MillimetreMercury} or {Ucum.Kilopascal}", nameof(reading)),
        };
        component.Value = FhirQuantity(mmHg, Ucum.MillimetreMercury, VitalKind.BloodPressure);
        return component;
    }

    private static void SetValue(Observation observation, Quantity quantity, Reading reading, IReadOnlyList<string> units, VitalKind measured)
    {
        var reason = DataAbsentReason(quantity, reading.Status);
        if (reason is not null)
        {
            observation.DataAbsentReason = reason;
            return;
        }
        if (!units.Contains(quantity.Unit))
        {
            throw new ArgumentException(
                $"{measured.ToTopicName()} value in '{quantity.Unit}'; the profile allows {string.Join(", ", units)}", nameof(reading));
        }
        observation.Value = FhirQuantity(quantity.Value, quantity.Unit, measured);
    }

    private static Hl7.Fhir.Model.Quantity FhirQuantity(decimal value, string ucum, VitalKind measured) => new()
    {
        Value = value,
        Unit = VitalSignCodes.UnitText(ucum, measured),
        System = FhirSystems.Ucum,
        Code = ucum,
    };

    /// <summary>
    /// HL7 FHIR R4 ObservationStatus and Observation.dataAbsentReason (docs/fhir.md): an invalid measurement has no value (error), an unavailable one was not
    /// performed; otherwise a special value the device sent (NaN, NRes, +/-INF) names the reason.
    /// </summary>
    private static CodeableConcept? DataAbsentReason(Quantity quantity, MeasurementStatus status)
    {
        if (status.HasFlag(MeasurementStatus.Invalid))
        {
            return Absent("error", "Error");
        }
        if (status.HasFlag(MeasurementStatus.NotAvailable))
        {
            return Absent("not-performed", "Not Performed");
        }
        if (status.HasFlag(MeasurementStatus.MeasurementOngoing))
        {
            // PHD IG (PhdBaseObservation.dataAbsentReason): populated when the measurement status says invalid, not
            // available or measurement ongoing; an ongoing measurement's value is expected later: temp-unknown.
            return Absent("temp-unknown", "Temporarily Unknown");
        }
        return quantity.Absent switch
        {
            AbsentReason.None => null,
            AbsentReason.NotANumber => Absent("not-a-number", "Not a Number (NaN)"),
            AbsentReason.Error => Absent("error", "Error"),
            AbsentReason.PositiveInfinity => Absent("positive-infinity", "Positive Infinity (PINF)"),
            AbsentReason.NegativeInfinity => Absent("negative-infinity", "Negative Infinity (NINF)"),
            AbsentReason.NotPerformed => Absent("not-performed", "Not Performed"),
            _ => throw new ArgumentOutOfRangeException(nameof(quantity), quantity.Absent, "unknown absent reason"),
        };

        static CodeableConcept Absent(string code, string display) => Concept(FhirSystems.DataAbsentReason, code, display);
    }

    /// <summary>
    /// Observation.bodySite only with a SNOMED CT body structure (FHIR R4 binds it to SNOMED CT Body Structures); a
    /// site without one is named in a note. The site-specific MDC term is already on Observation.code.
    /// </summary>
    private static void AddSite(Observation observation, string site)
    {
        var known = VitalSignCodes.Site(site);
        if (known is { Snomed: { } snomed })
        {
            observation.BodySite = new CodeableConcept
            {
                Coding = [new Coding(FhirSystems.SnomedCt, snomed, known.SnomedDisplay)],
                Text = known.Text,
            };
            return;
        }
        AddNote(observation, "Measurement site: " + (known?.Text ?? site) + ".");
    }

    /// <summary>
    /// A time the device did not state itself must be visible to the clinician (note) and to software (meta.tag),
    /// so that it is not read as the moment of measurement.
    /// </summary>
    private static void AddTimeQuality(Observation observation, Reading reading)
    {
        switch (reading.TimeQuality)
        {
            case TimeQuality.DeviceWithOffset:
                return;
            case TimeQuality.AssumedLocalZone:
                (observation.Meta ??= new Meta()).Tag.Add(new Coding(FhirSystems.TimeQuality, "assumed-local-zone", "Device time without UTC offset; gateway zone assumed"));
                AddNote(observation, string.Create(CultureInfo.InvariantCulture,
                    $"Time check: the device sent its clock time without a UTC offset; the gateway assumed its own zone (UTC{reading.EffectiveTime:zzz}). If the device clock or zone is set differently, the time shown is off by that much."));
                return;
            case TimeQuality.ReceiptTime:
                (observation.Meta ??= new Meta()).Tag.Add(new Coding(FhirSystems.TimeQuality, "receipt-time", "No device time; gateway receipt time used"));
                AddNote(observation, "Time check: the device sent no time. The time shown is when the gateway received the reading, which can be later than the measurement.");
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(reading), reading.TimeQuality, "unknown time quality");
        }
    }

    private static void AddInterpretations(Observation observation, MeasurementStatus flags)
    {
        if ((flags & (MeasurementStatus.Questionable | MeasurementStatus.SensorProblem)) != 0)
        {
            observation.Interpretation.Add(Concept(FhirSystems.MeasurementStatus, "questionable", "Questionable", "Questionable measurement (device flag)"));
        }
        if (flags.HasFlag(MeasurementStatus.Calibrating))
        {
            observation.Interpretation.Add(Concept(FhirSystems.MeasurementStatus, "calibration-ongoing", "Calibration ongoing", "Device was calibrating (device flag)"));
        }
        if (flags.HasFlag(MeasurementStatus.EarlyEstimate))
        {
            observation.Interpretation.Add(Concept(FhirSystems.MeasurementStatus, "early-indication", "Early indication", "Early estimate, not the final value (device flag)"));
        }
    }

    /// <summary>
    /// A pulse oximeter's Device and Sensor Status: every bit it set is named for the clinician; the problem bits
    /// (sensor displaced, low perfusion, malfunction...) make the value questionable (interpretation, as the PHD IG
    /// does for questionable measurements), so it is not charted as a clean value.
    /// </summary>
    private static void AddSensorStatus(Observation observation, Reading reading)
    {
        if (reading.SensorStatus is not { } status || status == Vitals.Devices.Gatt.PlxDeviceSensorStatus.None)
        {
            return;
        }
        AddNote(observation, "Device and sensor status: " + string.Join(", ", Vitals.Devices.Gatt.PlxDeviceSensorStatusExtensions.Describe(status)) + ".");
    }

    private static void AddDeviceFlagNotes(Observation observation, MeasurementStatus flags)
    {
        if (flags.HasFlag(MeasurementStatus.BodyMovement))
        {
            AddNote(observation, "Device reported body movement during the measurement.");
        }
        if (flags.HasFlag(MeasurementStatus.CuffLoose))
        {
            AddNote(observation, "Device reported that the cuff was too loose.");
        }
        if (flags.HasFlag(MeasurementStatus.IrregularPulse))
        {
            AddNote(observation, "Device reported an irregular pulse.");
        }
        if (flags.HasFlag(MeasurementStatus.PulseRateOutOfRange))
        {
            AddNote(observation, "Device reported that the pulse rate was out of its range.");
        }
        if (flags.HasFlag(MeasurementStatus.ImproperPosition))
        {
            AddNote(observation, "Device reported an improper measurement position.");
        }
    }

    // Spelled out because CodeableConcept's three-string constructor takes (system, code, text), not a display.
    private static CodeableConcept Concept(string system, string code, string display, string? text = null) =>
        new() { Coding = [new Coding(system, code, display)], Text = text };

    private static void AddNote(Observation observation, string text) =>
        observation.Note.Add(new Annotation { Text = new Markdown(text) });

    // FHIR allows any number of fractional digits, but receivers built on millisecond clocks (JavaScript, many EHRs)
    // may reject or silently round more; below a millisecond nothing is clinically meaningful.
    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time) =>
        time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMillisecond));
}
