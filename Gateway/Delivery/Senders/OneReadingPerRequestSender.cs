namespace Vitals.Gateway.Delivery.Senders;

/// <summary>
/// The per-reading profiles (single-post, fhir-conditional): the delivery loop hands them one reading per request
/// (<see cref="MaxReadingsPerRequest"/> 1); should it hand over more, they go one after the other, in the order given,
/// so a device's later reading never reaches the EHR before its earlier one.
/// </summary>
public abstract class OneReadingPerRequestSender : IEhrSender
{
    public int MaxReadingsPerRequest => 1;

    public async Task<IReadOnlyList<DeliveryResult>> SendAsync(IReadOnlyList<OutgoingReading> readings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var results = new DeliveryResult[readings.Count];
        for (var i = 0; i < readings.Count; i++)
            results[i] = await SendOneAsync(readings[i], ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>One reading's Device (unless left out) and Observations; expected EHR outcomes as the result.</summary>
    protected abstract Task<DeliveryResult> SendOneAsync(OutgoingReading reading, CancellationToken ct);
}
