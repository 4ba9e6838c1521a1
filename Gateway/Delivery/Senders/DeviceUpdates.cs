using System.Collections.Concurrent;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// Keeps each device's Device in the EHR as the device now describes itself. The conditional create that files a
/// Device matches the one already there, stale after a firmware update (or a new model, serial, manufacturer from the
/// Device Information Service or the MQTT <c>device</c> object). Once a Device's server id is known, its description
/// (the resource without id, meta and text) is compared with what the EHR holds: a Device this gateway just created is
/// current; otherwise the EHR's copy is read once per process (<c>GET Device/{id}</c>), and whenever they differ the
/// gateway's replaces it with an update by id (FHIR R4 RESTful API 3.1.0.4, "update": a new version, so the EHR's history
/// keeps the old firmware). Afterwards only a change of the description costs a request.
/// <para>
/// Best effort: a failed read or update is logged and never holds the readings, whose Observations reference the Device
/// by id either way; a refused update is not tried again until the description changes once more.
/// </para>
/// </summary>
public sealed class DeviceUpdates(EhrHttpClient http, ILogger logger)
{
    // Device server id -> the description the EHR holds (as far as this process knows).
    private readonly ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>The Device <paramref name="id"/> was just created from <paramref name="device"/>: the EHR holds this description.</summary>
    public void Created(string id, Device device) => _held[id] = Description(device);

    /// <summary>Updates Device <paramref name="id"/> when the EHR's description differs from <paramref name="device"/>'s.</summary>
    public async System.Threading.Tasks.Task EnsureCurrentAsync(string id, Device device, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(device);
        var wanted = Description(device);
        if (_held.TryGetValue(id, out var held) && held == wanted)
            return;
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_held.TryGetValue(id, out held) && held == wanted)
                return;
            if (held is null)
            {
                var read = await http.SendAsync(HttpMethod.Get, "Device/" + id, null, null, "GET Device", ct).ConfigureAwait(false);
                if (read.Failure is not null || !FhirJson.TryParse<Device>(read.Body, out var current, out _))
                {
                    DeliveryLog.DeviceNotUpdated(logger, id, read.Failure is { } f ? Reason(f) : read.Unexpected("not a Device"));
                    return;
                }
                held = Description(current);
                _held[id] = held;
                if (held == wanted)
                    return;
            }
            var updated = (Device)device.DeepCopy();
            updated.Id = id;
            var response = await http.SendAsync(HttpMethod.Put, "Device/" + id, FhirJson.Serialize(updated), null, "PUT Device", ct).ConfigureAwait(false);
            // Refused or not, the attempt stands for this description: the next change tries again, not every reading.
            _held[id] = wanted;
            if (response.Failure is null)
                DeliveryLog.DeviceUpdated(logger, device.Identifier.FirstOrDefault()?.Value ?? id, id);
            else
                DeliveryLog.DeviceNotUpdated(logger, id, Reason(response.Failure));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            DeliveryLog.DeviceNotUpdated(logger, id, e.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>What the device says about itself: the resource without what the server owns (id, meta, narrative).</summary>
    private static string Description(Device device)
    {
        var copy = (Device)device.DeepCopy();
        copy.Id = null;
        copy.Meta = null;
        copy.Text = null;
        return FhirJson.Serialize(copy);
    }

    private static string Reason(DeliveryResult failure) => failure switch
    {
        DeliveryResult.RetryLater later => later.Reason,
        DeliveryResult.Rejected rejected => rejected.Reason,
        _ => failure.GetType().Name,
    };
}
