using System.Text;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The identifier rule's two promises (HL7 PHD IG, "The Observation Identifier": "if the same measurement were resent
/// at a later time, the identifier would be the same ... no other newly taken measurement will produce the same
/// identifier"), checked as properties: seeded, so a failure reproduces.
/// </summary>
public sealed class ObservationIdentifierPropertyTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly MeasurementCode Panel = VitalSignCodes.For(VitalKind.BloodPressure).Code;
    private static readonly PatientId[] Patients = [PatientId.Parse("Patient/1"), PatientId.Parse("Patient/2"), PatientId.Parse("https://h.example/mrn|1")];

    [Fact]
    public void A_million_pairs_of_distinct_readings_never_share_an_identifier()
    {
        // 16 slices of 62,500 pairs, each from its own seeded generator: the same million pairs on every run, checked on
        // every core (a failure names its slice and pair, and reproduces).
        const int Slices = 16, PairsPerSlice = 62_500;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Parallel.For(0, Slices, slice =>
        {
            var random = new Random(20261125 + slice);
            Span<char> bufferA = stackalloc char[512], bufferB = stackalloc char[512];
            for (var i = 0; i < PairsPerSlice && failures.IsEmpty; i++)
            {
                var (a, patientA) = RandomReading(random);
                var (b, patientB) = Distinct(random, a, patientA);

                // The hash input decides: distinct inputs give distinct 128-bit SHA-256 prefixes (a chance collision has
                // probability about 2^-128 per pair), so every pair compares inputs and every 16th the identifiers too.
                // The inputs are compared as written into buffers (the same characters as HashInput, no strings).
                Assert.True(ObservationIdentifier.TryWriteHashInput(a, patientA, Panel, bufferA, out var lengthA));
                Assert.True(ObservationIdentifier.TryWriteHashInput(b, patientB, Panel, bufferB, out var lengthB));
                if (bufferA[..lengthA].SequenceEqual(bufferB[..lengthB])
                    || (i % 16 == 0 && ObservationIdentifier.ComputeValue(a, patientA, Panel) == ObservationIdentifier.ComputeValue(b, patientB, Panel)))
                {
                    failures.Enqueue($"slice {slice} pair {i}: {new string(bufferA[..lengthA])} and {new string(bufferB[..lengthB])} share an identifier");
                }
            }
        });
        Assert.True(failures.IsEmpty, failures.FirstOrDefault());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(600)]
    [InlineData(5000)]
    public void The_span_written_input_is_the_documented_text_whatever_its_length(int deviceIdLength)
    {
        // Short keys fit the stack buffers, long device ids take the pooled ones: the same text either way.
        var reading = Some.CuffReading() with { DeviceId = new string('d', deviceIdLength - 1) + "|", TimeQuality = TimeQuality.DeviceWithOffset };
        var expected = "v2|" + new string('d', deviceIdLength - 1) + "\\||blood-pressure|sys=128 mm[Hg];dia=82 mm[Hg];pulse=64 /min;|t:2026-11-25T07:30:00.0000000Z|id:17|Patient/1|150020";

        Assert.Equal(expected, ObservationIdentifier.HashInput(reading, Patients[0], Panel));
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(expected))[..16]),
            ObservationIdentifier.ComputeValue(reading, Patients[0], Panel));
        Assert.False(ObservationIdentifier.TryWriteHashInput(reading, Patients[0], Panel, new char[expected.Length - 1], out _));
    }

    private static (Reading, PatientId) RandomReading(Random random)
    {
        var at = ReceivedAt.AddSeconds(-random.Next(0, 30 * 24 * 3600)).ToOffset(TimeSpan.FromMinutes(15 * random.Next(-48, 57)));
        var systolic = random.Next(90, 200);
        var reading = new Reading
        {
            DeviceId = "dev-" + random.Next(0, 50).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Kind = VitalKind.BloodPressure,
            EffectiveTime = at,
            TimeQuality = (TimeQuality)random.Next(0, 3),
            MeasurementId = random.Next(2) == 0 ? null : random.Next(0, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Systolic = new Quantity(systolic, Ucum.MillimetreMercury),
            Diastolic = new Quantity(random.Next(40, systolic), Ucum.MillimetreMercury),
            Pulse = random.Next(3) == 0 ? null : new Quantity(random.Next(40, 150), Ucum.PerMinute),
        };
        return (reading, Patients[random.Next(Patients.Length)]);
    }

    /// <summary>Another measurement: one thing the rule is built from differs (a real difference, never a respelling).</summary>
    private static (Reading, PatientId) Distinct(Random random, Reading a, PatientId patient)
    {
        switch (random.Next(7))
        {
            case 0: return (a with { DeviceId = a.DeviceId + "x" }, patient);
            case 1: return (a, Patients[(Array.IndexOf(Patients, patient) + 1 + random.Next(Patients.Length - 1)) % Patients.Length]);
            case 2: return (a with { Systolic = new Quantity(a.Systolic!.Value.Value + 1, Ucum.MillimetreMercury) }, patient);
            case 3: return (a with { Pulse = a.Pulse is null ? new Quantity(60m, Ucum.PerMinute) : null }, patient);
            case 4: return (a with { Diastolic = new Quantity(a.Diastolic!.Value.Value + 0.1m, Ucum.MillimetreMercury) }, patient);
            case 5 when a.TimeQuality != TimeQuality.ReceiptTime:
                // The same wall clock an hour apart: the autumn clock change, or a clock off by an hour.
                return (a with { EffectiveTime = a.EffectiveTime.AddSeconds(random.Next(2) == 0 ? 1 : 3600) }, patient);
            case 5 when a.MeasurementId is not null:
                return (a with { MeasurementId = a.MeasurementId + "1" }, patient);
            case 5:
                return (a with { EffectiveTime = a.EffectiveTime.AddMinutes(1) }, patient);
            default:
                return (a with { Systolic = new Quantity(a.Systolic!.Value.Value, Ucum.Kilopascal), Diastolic = new Quantity(a.Diastolic!.Value.Value, Ucum.Kilopascal) }, patient);
        }
    }

    // Resends in every spelling the gateway meets: the same blood pressure as JSON with +01:00, as JSON with Z, and as a
    // raw 0x2A35 value (device-local 08:30 in Europe/Berlin), over MQTT and over Bluetooth with a clock offset.
    [Fact]
    public void Every_resend_spelling_of_one_measurement_gets_one_identifier()
    {
        var admitAll = ReadingAdmission.Default;
        var decoder = new MessageDecoder(Options.Create(new IngestOptions { TimeZone = "Europe/Berlin" }), admitAll);
        const string device = "C0:FF:EE:00:00:02";
        var jsonOffset = Json("""{"systolic":128,"diastolic":82,"mean":97,"pulse":64,"unit":"mm[Hg]","time":"2026-11-25T08:30:00+01:00"}""");
        var jsonZulu = Json("""{"systolic":128.0,"diastolic":82,"mean":97,"pulse":64,"unit":"mmHg","time":"2026-11-25T07:30:00Z"}""");
        // flags: time stamp + pulse; 128, 82, 97 mmHg; 2026-11-25 08:30:00; pulse 64.
        var gatt = Convert.FromHexString("06800052006100EA070B19081E004000");

        var spellings = new List<IngestMessage>
        {
            Some.MqttMessage($"vitals/{device}/blood-pressure", jsonOffset, ReceivedAt),
            Some.MqttMessage($"vitals/{device}/blood-pressure", jsonZulu, ReceivedAt.AddHours(2)),
            Some.MqttMessage($"vitals/{device}/gatt/2a35", gatt, ReceivedAt.AddMinutes(5)),
        };
        spellings.Add(spellings[2] with
        {
            Source = new Vitals.Gateway.Ingest.Ble.BleSource("hci0", device, 0x2A35),
            Context = new DeviceContext { ClockOffset = TimeSpan.FromSeconds(-3602.5) },
        });

        var identifiers = spellings.Select(m =>
        {
            Assert.True(decoder.TryDecode(m, out var reading, out var error), error.ToString());
            return Some.ReadingMapper().Map(reading, Some.BoundPatient).Observations.Select(o => o.Identifier.Single().Value).ToList();
        }).ToList();

        Assert.All(identifiers, ids => Assert.Equal(identifiers[0], ids));
        Assert.Equal(2, identifiers[0].Distinct().Count());
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
