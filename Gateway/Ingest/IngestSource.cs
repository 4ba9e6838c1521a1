namespace Vitals.Gateway.Ingest;

/// <summary>
/// Where a message came from, in its source's own terms: an MQTT topic and client, or a Bluetooth address and
/// characteristic. Its text is what the rejected store, dead letters and the CLI show, so an engineer can find the
/// sender without knowing how the gateway works inside.
/// </summary>
public abstract record IngestSource
{
    private protected IngestSource()
    {
    }

    /// <summary>One line naming the source, e.g. <c>mqtt vitals/x/body-weight from client c1</c>.</summary>
    public abstract override string ToString();
}
