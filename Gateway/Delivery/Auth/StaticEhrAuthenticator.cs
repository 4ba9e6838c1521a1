namespace Vitals.Gateway.Delivery.Auth;

/// <summary><c>Ehr:Auth:Mode</c> None or Bearer: the same answer every time, nothing to refresh.</summary>
public sealed class StaticEhrAuthenticator : IEhrAuthenticator
{
    private readonly EhrAuthorization _authorization;

    public StaticEhrAuthenticator(EhrAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _authorization = options.Mode switch
        {
            EhrAuthMode.None => EhrAuthorization.None,
            EhrAuthMode.Bearer => EhrAuthorization.Bearer(options.BearerToken
                ?? throw new ArgumentException("Ehr:Auth:BearerToken is required when Ehr:Auth:Mode is Bearer", nameof(options))),
            _ => throw new ArgumentException($"{nameof(StaticEhrAuthenticator)} does not do Ehr:Auth:Mode {options.Mode}", nameof(options)),
        };
    }

    public bool CanRefresh => false;

    public ValueTask<EhrAuthorization> AuthorizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_authorization);

    public void Invalidate(EhrAuthorization refused)
    {
        // A static token stays what it is; the 401 reaches the operator through the delivery's reason.
    }
}
