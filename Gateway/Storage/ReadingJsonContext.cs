using System.Text.Json.Serialization;
using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>
/// The stored form of a reading. Enums are written by name so that reordering an enum cannot change stored data;
/// date-times keep the offset the device used.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    Converters = [typeof(QuantityJsonConverter)])]
[JsonSerializable(typeof(Reading))]
internal sealed partial class ReadingJsonContext : JsonSerializerContext
{
}
