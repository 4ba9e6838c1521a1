namespace Vitals.Gateway.Delivery.Auth;

/// <summary>
/// The credential seam of <c>EhrHttpClient</c>: it asks before every request, and after a 401 tells the
/// authenticator which credential was refused and asks once more (an access token may be revoked or expire early;
/// SMART App Launch 2.x, Backend Services: the client then requests a new one).
/// </summary>
public interface IEhrAuthenticator
{
    /// <summary>Whether <see cref="Invalidate"/> can lead to a different credential (a static token cannot).</summary>
    bool CanRefresh { get; }

    /// <summary>The credential for the next request. Never throws for an unreachable or refusing token endpoint.</summary>
    ValueTask<EhrAuthorization> AuthorizeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The EHR answered 401 to <paramref name="refused"/>: forget it, unless a newer one has replaced it already
    /// (parallel requests that all got 401 with the same token cause one refresh, not one each).
    /// </summary>
    void Invalidate(EhrAuthorization refused);
}
