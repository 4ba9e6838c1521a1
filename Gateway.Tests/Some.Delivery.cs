using Hl7.Fhir.Model;
using Vitals.Gateway.Fhir;
using FhirQuantity = Hl7.Fhir.Model.Quantity;

namespace Vitals.Gateway.Tests;

/// <summary>Hand-built MappedReadings for the delivery tests, independent of the real mapper.</summary>
internal static partial class Some
{
    public const string BluetoothSystem = "http://hl7.org/fhir/sid/eui-48/bluetooth";
    public const string ReadingSystem = "https://vitals.example.org/fhir/sid/reading";
    public const string DeviceAddress = "00-1C-05-00-78-25";
    public const string PatientReference = "Patient/pat-4711";

    /// <summary>A thermometer reading: the Device and one body-temperature Observation.</summary>
    /// <param name="readingKey">The de-duplication identifier's value; by default it holds '|' like ReadingIdentity.Key does.</param>
    public static MappedReading MappedTemperature(
        string deviceAddress = DeviceAddress, string? readingKey = null, decimal celsius = 37.2m) =>
        new(DeviceResource(deviceAddress),
            [TemperatureObservation(deviceAddress, readingKey ?? $"{deviceAddress}|body-temperature|2026-11-25T08:30:00+01:00|17", celsius)]);

    /// <summary>A cuff reading: the Device, a blood-pressure panel and a heart-rate Observation.</summary>
    public static MappedReading MappedBloodPressure(string deviceAddress = "00-1C-05-00-78-26", string sequence = "42") =>
        new(DeviceResource(deviceAddress),
        [
            VitalObservation(deviceAddress, $"{deviceAddress}|blood-pressure|2026-11-25T08:31:00+01:00|{sequence}", "85354-9", "bp", obs =>
            {
                obs.Component.Add(Component("8480-6", 128m));
                obs.Component.Add(Component("8462-4", 82m));
            }),
            VitalObservation(deviceAddress, $"{deviceAddress}|heart-rate|2026-11-25T08:31:00+01:00|{sequence}", "8867-4", "heartrate",
                obs => obs.Value = new FhirQuantity(64m, "/min") { Unit = "beats/minute" }),
        ]);

    public static Device DeviceResource(string deviceAddress) => new()
    {
        Identifier = [new Identifier(BluetoothSystem, deviceAddress)],
        Manufacturer = "Example Medical",
    };

    public static Observation TemperatureObservation(string deviceAddress, string readingKey, decimal celsius) =>
        VitalObservation(deviceAddress, readingKey, "8310-5", "bodytemp",
            obs => obs.Value = new FhirQuantity(celsius, "Cel") { Unit = "°C" });

    private static Observation VitalObservation(
        string deviceAddress, string readingKey, string loinc, string profile, Action<Observation> fill)
    {
        var observation = new Observation
        {
            Meta = new Meta { Profile = ["http://hl7.org/fhir/StructureDefinition/" + profile] },
            Identifier = [new Identifier(ReadingSystem, readingKey)],
            Status = ObservationStatus.Final,
            Category =
            [
                new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs"),
            ],
            Code = new CodeableConcept("http://loinc.org", loinc),
            Subject = new ResourceReference(PatientReference),
            Effective = new FhirDateTime(new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1))),
            // The mapper leaves the server id to the sender: only the device's identifier is known here.
            Device = new ResourceReference { Identifier = new Identifier(BluetoothSystem, deviceAddress) },
        };
        fill(observation);
        return observation;
    }

    private static Observation.ComponentComponent Component(string loinc, decimal mmHg) => new()
    {
        Code = new CodeableConcept("http://loinc.org", loinc),
        Value = new FhirQuantity(mmHg, "mm[Hg]") { Unit = "mmHg" },
    };
}
