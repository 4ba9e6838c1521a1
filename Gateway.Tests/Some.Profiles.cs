using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests;

/// <summary>Readings as the delivery loop hands them to a profile's sender, and the client the senders share.</summary>
internal static partial class Some
{
    /// <summary>No <c>Ehr:Compatibility</c> switches: the resources go out as mapped.</summary>
    public static EhrCompatibility NoCompatibility { get; } = new(new EhrCompatibilityOptions());

    public static OutgoingReading Outgoing(MappedReading mapped, long outboxId = 1, string deviceId = "thermo-1", EhrCompatibility? compatibility = null) =>
        OutgoingReading.FromMapping(
            new OutboxEntry(outboxId, outboxId, ThermometerReading() with { DeviceId = deviceId }, BoundPatient, 0, MeasuredAt, $"vitals/{deviceId}/body-temperature", []),
            mapped, compatibility ?? NoCompatibility);

    /// <summary><paramref name="count"/> thermometer readings of <paramref name="devices"/> devices, distinct identifiers.</summary>
    public static IReadOnlyList<OutgoingReading> OutgoingTemperatures(int count, int devices = 3) =>
        [.. Enumerable.Range(0, count).Select(i => Outgoing(
            MappedTemperature($"00-1C-05-00-00-{i % devices:D2}", $"reading-{i}", 36.0m + i / 10m), i + 1))];

    /// <summary>The pooled EHR client as DI builds it for <c>Ehr:Auth:Mode</c> None or Bearer (the caller disposes it).</summary>
    public static EhrHttpClient EhrHttpClient(IOptions<EhrOptions> options, ILogger? logger = null, TimeProvider? time = null) =>
        new(options, new StaticEhrAuthenticator(options.Value.Auth), time ?? TimeProvider.System, logger ?? NullLogger.Instance);

    /// <summary>
    /// The sender of <paramref name="profile"/> on <paramref name="http"/>, as <c>AddEhrDelivery</c> builds it (the
    /// transaction sender with the preset of <paramref name="options"/>); single-post needs <paramref name="ledger"/>.
    /// </summary>
    public static IEhrSender Sender(EhrProfile profile, EhrHttpClient http, IOptions<EhrOptions> options, IDeliveryLedger? ledger = null,
        TimeProvider? time = null, DeliveryProvenance? provenance = null) => profile switch
    {
        EhrProfile.FhirTransaction => new TransactionSender(http, options, new EhrServerPreset(options.Value), new RecordingLogger<TransactionSender>(), provenance),
        EhrProfile.FhirConditional => new ConditionalCreateSender(http, new RecordingLogger<ConditionalCreateSender>(), provenance),
        _ => new SinglePostSender(http, ledger ?? throw new ArgumentNullException(nameof(ledger), "single-post keeps a delivery ledger"), options,
            time ?? TimeProvider.System, new RecordingLogger<SinglePostSender>(), provenance),
    };

    /// <summary>One reading through a profile's sender, as the delivery loop hands it over; its one result.</summary>
    public static async Task<DeliveryResult> SendAsync(this IEhrSender sender, MappedReading mapped, CancellationToken ct) =>
        Assert.Single(await sender.SendAsync([Outgoing(mapped)], ct));
}
