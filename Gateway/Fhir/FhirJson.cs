using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The one place FHIR resources become JSON and back (Firely SDK 6, System.Text.Json based; the Newtonsoft-era
/// FhirJsonParser is obsolete). Decimals keep their written precision both ways (37.60 stays 37.60).
/// </summary>
public static class FhirJson
{
    /// <summary>Tolerates what servers add beyond R4 (Medplum's meta.project and meta.author, for example).</summary>
    private static readonly FhirJsonDeserializer Tolerant = FhirJsonDeserializer.RECOVERABLE;

    public static string Serialize(Resource resource, bool pretty = false)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return FhirJsonSerializer.Default.SerializeToString(resource, pretty);
    }

    public static byte[] SerializeToUtf8Bytes(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return FhirJsonSerializer.Default.SerializeToBytes(resource);
    }

    /// <summary>
    /// Strict parse of JSON the gateway wrote itself (outbox payloads, golden files): anything that is not valid R4
    /// there is a bug, so this throws <see cref="FormatException"/>.
    /// </summary>
    public static T Parse<T>(string json) where T : Resource
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return FhirJsonDeserializer.DEFAULT.Deserialize<T>(json);
        }
        catch (Exception e) when (e is DeserializationFailedException or JsonException)
        {
            throw new FormatException($"not a valid FHIR R4 {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Tolerant parse of JSON from elsewhere (an EHR's response): unknown elements and recoverable problems (an
    /// element of the wrong JSON type) are skipped; malformed JSON, a missing or different resourceType return false
    /// with the reason. Never throws on input.
    /// </summary>
    public static bool TryParse<T>(string json, [NotNullWhen(true)] out T? resource, out string error) where T : Resource
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var parsed = Tolerant.DeserializeResource(json);
            if (parsed is T typed)
            {
                resource = typed;
                error = "";
                return true;
            }
            resource = null;
            error = $"expected a {typeof(T).Name}, got {parsed.TypeName}";
            return false;
        }
        catch (Exception e) when (e is DeserializationFailedException or JsonException or FormatException or InvalidOperationException)
        {
            resource = null;
            error = e.Message;
            return false;
        }
    }
}
