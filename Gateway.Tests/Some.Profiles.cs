using Vitals.Gateway.Delivery;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests;

/// <summary>Readings as the delivery loop hands them to a profile's sender.</summary>
internal static partial class Some
{
    public static OutgoingReading Outgoing(MappedReading mapped, long outboxId = 1) =>
        OutgoingReading.FromMapping(
            new OutboxEntry(outboxId, outboxId, ThermometerReading(), BoundPatient, 0, MeasuredAt, "vitals/thermo-1/body-temperature", []),
            mapped);

    /// <summary><paramref name="count"/> thermometer readings of <paramref name="devices"/> devices, distinct identifiers.</summary>
    public static IReadOnlyList<OutgoingReading> OutgoingTemperatures(int count, int devices = 3) =>
        [.. Enumerable.Range(0, count).Select(i => Outgoing(
            MappedTemperature($"00-1C-05-00-00-{i % devices:D2}", $"reading-{i}", 36.0m + i / 10m), i + 1))];
}
