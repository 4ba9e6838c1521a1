using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>
/// One received message to commit: a decoded reading (<see cref="Accepted"/>) or the reason it could not be decoded
/// (<see cref="Rejected"/>); there is no third kind. <see cref="Origin"/> names the source in its own terms
/// (<c>mqtt vitals/x/body-weight from client c1</c>, <c>ble C0:FF:EE:00:00:01 0x2A35</c>); the store keeps it as text.
/// </summary>
public abstract record IngestRecord
{
    private IngestRecord(string origin, DateTimeOffset receivedAt, ReadOnlyMemory<byte> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        Origin = origin;
        ReceivedAt = receivedAt;
        Payload = payload;
    }

    public string Origin { get; }

    /// <summary>The gateway's clock at receipt.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The raw bytes, kept unchanged for the rejected store and dead letters.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public sealed record Accepted : IngestRecord
    {
        public Accepted(string origin, DateTimeOffset receivedAt, ReadOnlyMemory<byte> payload, Reading reading)
            : base(origin, receivedAt, payload)
        {
            ArgumentNullException.ThrowIfNull(reading);
            Reading = reading;
        }

        public Reading Reading { get; }
    }

    public sealed record Rejected : IngestRecord
    {
        public Rejected(string origin, DateTimeOffset receivedAt, ReadOnlyMemory<byte> payload, DecodeError error)
            : base(origin, receivedAt, payload) => Error = error;

        public DecodeError Error { get; }
    }
}
