using Vitals.Devices.Gatt;
using Vitals.Devices.Tests.Gatt;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The FHIR side of TestData/Gatt/vectors.json (Devices.Tests checks the decoded readings): every Observation made from
/// an accepted vector validates against its vital-signs profile.
/// </summary>
public sealed class GattVectorObservationTests
{
    public static TheoryData<string> AcceptedNames() => GattVectors.Names(GattVectors.IsAccepted);

    [Theory]
    [MemberData(nameof(AcceptedNames))]
    public void Every_observation_from_an_accepted_vector_validates_against_its_vital_signs_profile(string name)
    {
        var vector = GattVectors.Named(name);
        Assert.True(GattReadingDecoder.TryDecode(GattVectors.DeviceId, GattVectors.Uuid(vector), GattVectors.Bytes(vector), GattVectors.Context(vector), out var reading, out var error), error.ToString());

        var mapped = Some.ReadingMapper().Map(reading, Some.BoundPatient);

        foreach (var observation in mapped.Observations)
        {
            Assert.Empty(FhirValidation.Errors(observation));
        }
    }
}
