using System.Text.Json.Serialization;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>One event of <see cref="NearbyList"/>: the device's element id, its address and its line in words.</summary>
internal sealed record StreamedNearby(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("text")] string Text);
