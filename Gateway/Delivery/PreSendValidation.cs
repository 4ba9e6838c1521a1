using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// The delivery loop's check between mapping and sending (<c>Ehr:ValidateBeforeSend</c>): a reading whose resources
/// fail validation becomes a dead letter at once, with the validator's findings and the resources it would have
/// sent, and the EHR never sees it. Retrying cannot help: the same reading maps to the same resources.
/// </summary>
public sealed class PreSendValidation(
    ObservationValidator validator,
    IOptions<PreSendValidationOptions> options,
    IOutbox store,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<PreSendValidation> logger)
{
    private const string ReasonPrefix = "failed validation before send: ";

    /// <summary>
    /// Validates <paramref name="mapped"/> (when enabled). Invalid: the outbox entry becomes a dead letter and this
    /// returns true (the caller sends nothing). Valid, or validation off: false.
    /// </summary>
    public async Task<bool> DeadLetterIfInvalidAsync(OutboxEntry entry, MappedReading mapped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(mapped);
        if (!options.Value.ValidateBeforeSend) return false;
        ct.ThrowIfCancellationRequested();

        var result = validator.Validate(mapped);
        if (result.IsValid) return false;

        var reason = new DeadLetterReason(
            ReasonPrefix + result.Summary(),
            HttpStatus: null,
            Request: FhirJson.Serialize(CollectionBundle.Build(mapped), pretty: true),
            Response: FhirJson.Serialize(result.ToOperationOutcome(), pretty: true));
        // Not cancellable: the verdict is final, and recording it must not be lost to a shutdown half-way.
        await store.DeadLetterAsync(entry.Id, reason, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        metrics.DeadLettered();
        var errors = result.Errors;
        DeliveryLog.PreSendInvalid(logger, entry.Id, entry.Reading.DeviceId, errors.Count, string.Join(", ", errors.Select(e => e.Path).Distinct()));
        DeliveryLog.PreSendInvalidDetails(logger, entry.Id, result.Summary(int.MaxValue));
        return true;
    }
}
