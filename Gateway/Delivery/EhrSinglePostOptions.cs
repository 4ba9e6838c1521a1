namespace Vitals.Gateway.Delivery;

/// <summary>The <c>Ehr:SinglePost</c> section (single-post profile).</summary>
public sealed class EhrSinglePostOptions
{
    /// <summary>
    /// When an Observation's earlier POST has an unknown outcome (sent, but the gateway crashed or the answer was lost
    /// before the 2xx was recorded), search <c>Observation?identifier=</c> before posting it again. Needs an EHR that
    /// supports search by identifier and keeps the identifier; without it such a resend may file a second copy.
    /// </summary>
    public bool SearchBeforeResend { get; set; } = true;

    public override string ToString() => $"SearchBeforeResend={SearchBeforeResend}";
}
