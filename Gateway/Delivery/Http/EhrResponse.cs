namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// One exchange with the EHR as <see cref="EhrHttpClient"/> classified it: a 2xx (<see cref="Failure"/> null) with
/// its status, body and Location headers, or the <see cref="DeliveryResult"/> a failure means (retry later or refused
/// for good). <see cref="Request"/> is the body that was sent, for a dead letter. A 2xx is only what the status line
/// said; whether it proves delivery is for the sender to check (<see cref="CreatedId"/>, <see cref="TransactionAnswer"/>).
/// </summary>
public sealed record EhrResponse(int Status, string Body, Uri? Location, Uri? ContentLocation, string Request, DeliveryResult? Failure)
{
    /// <summary>The media type of the answer (without parameters), null when the server sent none.</summary>
    public string? MediaType { get; init; }

    /// <summary>The request as reasons name it ("POST Observation", "POST [base] (transaction, 3 readings)"); free of PHI.</summary>
    public string What { get; init; } = "";

    /// <summary>The server id of a created (or matched) resource: Location first (Oracle Health answers 201 with only that), then Content-Location, then the body.</summary>
    public string? ResourceId(string resourceType) =>
        ResourceLocation.TryGetId(Location, resourceType, out var fromLocation) ? fromLocation
        : ResourceLocation.TryGetId(ContentLocation, resourceType, out var fromContent) ? fromContent
        : ResourceLocation.TryGetIdFromBody(Body, resourceType, out var fromBody) ? fromBody
        : null;

    /// <summary>
    /// The id a 2xx to a create proves, or null when it proves nothing. R4 RESTful API 3.1.0.8 ("create"): the
    /// server answers with a Location header naming the new resource (RFC 9110 10.2.2), and may return the resource;
    /// a conditional create that matched (3.1.0.8.1) answers 200 with the match. So a Location of the right type or a
    /// body that is a resource of the right type, with an id, is proof; an HTML page from a proxy or single-sign-on
    /// portal, or a 200 OperationOutcome, is not.
    /// </summary>
    public string? CreatedId(string resourceType) => Failure is null && Status is >= 200 and <= 299 ? ResourceId(resourceType) : null;

    /// <summary>The reason for an answer that does not prove what it should: "unexpected answer: 200 text/html from POST [base]: ...".</summary>
    public string Unexpected(string why) =>
        $"unexpected answer: {Status} {MediaType ?? "(no content type)"} from {What}: {why}";
}
