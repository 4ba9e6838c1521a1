using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>
/// Per-device order through the real loop, a real SQLite file and each profile's sender: what the EHR commits, in the
/// order it commits it, is every device's readings in effective-time order; a poison reading is a dead letter and the
/// readings of its device behind it still arrive.
/// </summary>
public sealed class DeliveryOrderTests : IDisposable
{
    private static readonly PatientId Patient = PatientId.Parse("Patient/p-1");
    private const decimal PoisonValue = 39.9m;
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(EhrProfile.FhirTransaction)]
    [InlineData(EhrProfile.SinglePost)]
    [InlineData(EhrProfile.FhirConditional)]
    public async Task Each_devices_readings_arrive_in_effective_time_order_and_a_poison_reading_blocks_nothing(EhrProfile profile)
    {
        var fhir = new MiniFhir { Poison = r => (decimal?)r["valueQuantity"]?["value"] == PoisonValue };
        // A little server time per request, so that several requests really are in flight together.
        await using var server = await ScriptedFhirServer.StartAsync(r => fhir.Respond(r) with { Delay = TimeSpan.FromMilliseconds(15) });
        using var store = await _temp.OpenAsync();
        string[] devices = ["thermo-a", "thermo-b", "thermo-c"];
        foreach (var device in devices)
            await store.Bindings.BindAsync(device, null, Patient, Some.MeasuredAt, default);
        var records = new List<IngestRecord>();
        for (var i = 0; i < 12; i++)
        {
            for (var d = 0; d < devices.Length; d++)
            {
                var value = d == 1 && i == 2 ? PoisonValue : 36.0m + i / 10m;
                records.Add(Some.AcceptedRecord(Some.StoredThermometer(devices[d], value, Some.MeasuredAt.AddMinutes(i * 3 + d))));
            }
        }
        // Committed newest first: the order on the wire must come from effective time, not arrival.
        records.Reverse();
        await store.Ingest.CommitAsync(records, default);

        var options = Options.Create(new EhrOptions
        {
            BaseUrl = server.BaseUrl,
            MaxConcurrency = 3,
            Profile = profile,
            Batch = new EhrBatchOptions { MaxSize = 4, Linger = TimeSpan.Zero },
            Retry = new EhrRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
        });
        using var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        var sender = Some.Sender(profile, http, options, store.Ledger);
        var service = Some.DeliveryService(store.Outbox, sender, options, new RecordingLogger<DeliveryService>());
        await service.StartAsync(default);
        try
        {
            await Eventually.ValueAsync(() => store.Status.GetOutboxStatusAsync(default), s => s.Pending == 0, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await service.StopAsync(default);
        }

        var status = await store.Status.GetOutboxStatusAsync(default);
        Assert.Equal((0L, 35L, 1L), (status.Pending, status.Delivered, status.DeadLetters));
        var observations = fhir.OfType("Observation");
        Assert.Equal(35, observations.Count);
        foreach (var device in devices)
        {
            var times = observations
                .Where(o => ((string?)o.Resource["device"]!["identifier"]!["value"])!.EndsWith(device, StringComparison.Ordinal))
                .Select(o => DateTimeOffset.Parse((string)o.Resource["effectiveDateTime"]!, System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(device == "thermo-b" ? 11 : 12, times.Count);
            Assert.Equal(times.Order(), times);
        }
        var dead = Assert.Single(await store.DeadLetters.ListDeadLettersAsync(10, default));
        Assert.Equal(("thermo-b", 422), (dead.DeviceId, dead.Why.HttpStatus));
    }
}
