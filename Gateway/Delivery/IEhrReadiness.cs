namespace Vitals.Gateway.Delivery;

/// <summary>
/// What the readiness check (<c>/healthz/ready</c>) asks of the delivery side: can the EHR be reached, and does it
/// accept the gateway's credentials. Shaped by that check: one snapshot, with a reason an operator can act on.
/// </summary>
public interface IEhrReadiness
{
    EhrReadinessState Current { get; }
}
