using Microsoft.Extensions.Options;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// <c>Ehr:ValidateBeforeSend</c>: whether each mapped reading is validated offline (base R4 and its vital-signs
/// profile) before it is sent. Bound from the <c>Ehr</c> section next to <see cref="EhrOptions"/>.
/// </summary>
public sealed class PreSendValidationOptions
{
    public const string SectionName = EhrOptions.SectionName;

    /// <summary>
    /// When on, an invalid resource becomes a dead letter with the validator's findings instead of a round trip that
    /// an EHR answers with a 400 or, worse, accepts and files. Off by default because of what it costs on a home hub
    /// (docs/performance.md, "Validation before send"): 85-160 MB more resident memory once the profiles are
    /// compiled, against a 200 MB target the gateway alone already comes close to with 1,002 devices, and a cold start
    /// of tens of seconds of CPU at the first reading of each kind (then 1-5 ms per reading, serialised).
    /// Worth turning on where memory allows and the EHR's refusals are costly to untangle.
    /// </summary>
    public bool ValidateBeforeSend { get; set; }
}

/// <summary>Start-up validation of <c>Ehr:ValidateBeforeSend</c>, like <see cref="EhrOptionsValidator"/>: one line naming the key.</summary>
public sealed class PreSendValidationOptionsValidator : IValidateOptions<PreSendValidationOptions>
{
    public ValidateOptionsResult Validate(string? name, PreSendValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Checked at start-up rather than at the first reading, when the gateway would already be running.
        if (options.ValidateBeforeSend && !File.Exists(ObservationValidator.DefaultSpecificationPath))
        {
            return ValidateOptionsResult.Fail(
                $"Ehr:ValidateBeforeSend is true but the FHIR R4 specification is missing at {ObservationValidator.DefaultSpecificationPath}");
        }
        return ValidateOptionsResult.Success;
    }
}
