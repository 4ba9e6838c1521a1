using System.ComponentModel.DataAnnotations;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// <c>Ehr:ValidateBeforeSend</c>: whether each mapped reading is validated offline (base R4 and its vital-signs
/// profile) before it is sent. Bound from the <c>Ehr</c> section next to <see cref="EhrOptions"/>.
/// </summary>
public sealed class PreSendValidationOptions : IValidatableObject
{
    public const string SectionName = EhrOptions.SectionName;

    /// <summary>
    /// On by default: an invalid resource becomes a dead letter with the validator's findings instead of a round trip
    /// that an EHR answers with a 400 or, worse, accepts and files. Costs are in docs/performance.md.
    /// </summary>
    public bool ValidateBeforeSend { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Checked at start-up rather than at the first reading, when the gateway would already be running.
        if (ValidateBeforeSend && !File.Exists(ObservationValidator.DefaultSpecificationPath))
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(ValidateBeforeSend)} is true but the FHIR R4 specification is missing at {ObservationValidator.DefaultSpecificationPath}",
                [nameof(ValidateBeforeSend)]);
        }
    }
}
