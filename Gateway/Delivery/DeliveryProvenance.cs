using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// <c>Fhir:Provenance</c> for the senders: the Provenance of what one request delivered (<see cref="ProvenanceResource"/>),
/// its agent the gateway Device (<see cref="GatewayDevice"/>; by server id once <see cref="GatewayDeviceRegistration"/>
/// filed it, always by identifier), recorded at the send time from the <see cref="TimeProvider"/>. How each profile
/// files it and why a resend does not duplicate it: docs/fhir.md, "Provenance".
/// </summary>
public sealed class DeliveryProvenance(
    IOptions<FhirOptions> options, GatewayDevice gateway, TimeProvider time, GatewayDeviceRegistration? registration = null)
{
    public bool Enabled { get; } = options.Value.Provenance;

    /// <summary>The Provenance naming <paramref name="targets"/>, recorded now.</summary>
    public Provenance Create(IEnumerable<string> targets)
    {
        var agent = new ResourceReference
        {
            Identifier = (Identifier)gateway.Identifier.DeepCopy(),
            Display = "Vitals Gateway " + gateway.Display,
        };
        if (registration?.ServerId is { } id)
            agent.Reference = "Device/" + id;
        return ProvenanceResource.Create(targets, agent, time.GetUtcNow());
    }

    /// <summary>
    /// The per-reading profiles: one POST of the Provenance of Observations the EHR has acknowledged, by their server
    /// ids (<paramref name="observationIds"/>, "Observation/{id}"), after them. With <paramref name="conditional"/> a
    /// conditional create on <see cref="ProvenanceResource.IfNoneExist"/> of the first Observation's identifier, so a
    /// resend of the reading matches the Provenance already there. The readings are delivered whatever happens to it: a
    /// failure is logged and not retried (the Provenance is then missing, never the Observations).
    /// </summary>
    /// <returns>"Provenance/{id}" when the EHR created or matched it, else null.</returns>
    public async Task<string?> FileAsync(
        EhrHttpClient http, IReadOnlyList<string> observationIds, Identifier firstObservationKey, bool conditional, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(observationIds);
        ArgumentNullException.ThrowIfNull(firstObservationKey);
        if (observationIds.Count == 0)
            return null;
        try
        {
            var json = JsonSerializer.Serialize(Create(observationIds), Json);
            var response = await http.SendAsync(HttpMethod.Post, "Provenance", json,
                conditional ? ProvenanceResource.IfNoneExist(firstObservationKey) : null, "POST Provenance", ct).ConfigureAwait(false);
            if (response.CreatedId("Provenance") is { } id)
            {
                DeliveryLog.ProvenanceFiled(logger, observationIds.Count, id);
                return "Provenance/" + id;
            }
            DeliveryLog.ProvenanceNotFiled(logger, observationIds.Count, response.Failure switch
            {
                DeliveryResult.RetryLater later => later.Reason,
                DeliveryResult.Rejected rejected => rejected.Reason,
                _ => response.Unexpected("no Location and no Provenance with an id in the body"),
            });
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            DeliveryLog.ProvenanceNotFiled(logger, observationIds.Count, e.Message);
            return null;
        }
    }

    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir();
}
