using System.Text.Json;
using System.Text.Json.Serialization;
using Vitals.Devices;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// The input of one golden file: a Reading as the decoders would produce it (property names camelCase, enums by
/// name, flags comma-separated) and the patient it is bound to (null: unbound, as in <c>decode</c> without --patient).
/// </summary>
internal sealed record GoldenCase(string? Patient, Reading Reading, DeviceInformation? Device = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public PatientId? PatientId => Patient is null ? null : Patients.PatientId.Parse(Patient);

    public static GoldenCase Load(string path) =>
        JsonSerializer.Deserialize<GoldenCase>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} is empty");
}
