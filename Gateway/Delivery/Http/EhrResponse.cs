namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// One exchange with the EHR as <see cref="EhrHttpClient"/> classified it: a 2xx (<see cref="Failure"/> null) with
/// its status, body and Location headers, or the <see cref="DeliveryResult"/> a failure means (retry later or refused
/// for good). <see cref="Request"/> is the body that was sent, for a dead letter.
/// </summary>
public sealed record EhrResponse(int Status, string Body, Uri? Location, Uri? ContentLocation, string Request, DeliveryResult? Failure)
{
    /// <summary>The server id of a created (or matched) resource: Location first (Oracle Health answers 201 with only that), then Content-Location, then the body.</summary>
    public string? ResourceId(string resourceType) =>
        ResourceLocation.TryGetId(Location, resourceType, out var fromLocation) ? fromLocation
        : ResourceLocation.TryGetId(ContentLocation, resourceType, out var fromContent) ? fromContent
        : ResourceLocation.TryGetIdFromBody(Body, resourceType, out var fromBody) ? fromBody
        : null;
}
