using System.Text.Json.Serialization;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>One event of <see cref="ReadingsStream"/>: the list (a slot), the reading's element id and its line in words.</summary>
internal sealed record StreamedReading(
    [property: JsonPropertyName("list")] string List,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text);

[JsonSerializable(typeof(StreamedReading))]
[JsonSerializable(typeof(StreamedNearby))]
internal sealed partial class StreamJsonContext : JsonSerializerContext;
