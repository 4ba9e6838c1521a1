using System.Text.Json;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Makes this gateway known before readings go out: takes the installation's generated id from the store (so that the
/// Observations' observation-gatewayDevice extension names it), and files the PHG Device (<see cref="GatewayDevice"/>)
/// in the EHR once, by a conditional create on its identifier (FHIR R4 RESTful API 3.1.0.8.1, If-None-Exist): a
/// restart, a second instance on the same store, or a resend after a lost answer matches the Device already there.
/// The extension references the Device by identifier, so a failed attempt delays nothing: it is tried again before the
/// next batch. Not attempted where <c>Ehr:Compatibility:Omit</c> leaves Devices out.
/// </summary>
public sealed class GatewayDeviceRegistration(
    GatewayDevice gateway, IGatewayIdentity identity, EhrHttpClient http, EhrCompatibility compatibility, ILogger<GatewayDeviceRegistration> logger)
{
    private readonly JsonSerializerOptions _json = new JsonSerializerOptions().ForFhir();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _identified;
    private volatile bool _filed;

    /// <summary>The server id of the PHG Device once filed (or matched), else null.</summary>
    public string? ServerId { get; private set; }

    /// <summary>
    /// A store that cannot say the id throws (the batch waits: mapping it now would name no installation); an EHR that
    /// does not take the Device only logs.
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_filed) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_filed) return;
            if (!_identified && !gateway.IsConfigured)
            {
                gateway.UseGenerated(await identity.GetOrCreateAsync(ct).ConfigureAwait(false));
            }
            _identified = true;
            await FileAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FileAsync(CancellationToken ct)
    {
        try
        {
            if (!compatibility.SendsDevice)
            {
                _filed = true;
                return;
            }
            var device = gateway.Resource();
            var response = await http.SendAsync(HttpMethod.Post, "Device", JsonSerializer.Serialize(device, _json),
                ObservationIdentifier.ToSearchQuery(gateway.Identifier), "POST Device (gateway)", ct).ConfigureAwait(false);
            if (response.CreatedId("Device") is { } id)
            {
                ServerId = id;
                _filed = true;
                DeliveryLog.GatewayDeviceFiled(logger, gateway.Identifier.Value, id);
                return;
            }
            DeliveryLog.GatewayDeviceNotFiled(logger, response.Failure switch
            {
                DeliveryResult.RetryLater later => later.Reason,
                DeliveryResult.Rejected rejected => rejected.Reason,
                _ => $"HTTP {response.Status} without a Device",
            });
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            DeliveryLog.GatewayDeviceNotFiled(logger, e.Message);
        }
    }
}
