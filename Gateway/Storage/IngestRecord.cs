using System.Runtime.InteropServices;
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

    /// <summary>
    /// <see cref="Payload"/> as an array for a store parameter: the array itself when the payload is a whole one (what
    /// every source hands over), so that a commit does not copy each payload once more.
    /// </summary>
    public byte[] PayloadArray() =>
        MemoryMarshal.TryGetArray(Payload, out var segment) && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length
            ? array
            : Payload.ToArray();

    /// <remarks>
    /// The stored form (<see cref="IdentityKey"/>, <see cref="ReadingJson"/>) is computed here, where the message is
    /// decoded: on the thread of its connection, many at a time. The group commit that stores it runs on one writer,
    /// so whatever it need not compute itself is taken off the path every reading queues behind.
    /// </remarks>
    public sealed record Accepted : IngestRecord
    {
        public Accepted(string origin, DateTimeOffset receivedAt, ReadOnlyMemory<byte> payload, Reading reading)
            : base(origin, receivedAt, payload)
        {
            ArgumentNullException.ThrowIfNull(reading);
            Reading = reading;
            IdentityKey = ReadingIdentity.Key(reading);
            ReadingJson = Storage.ReadingJson.Serialize(reading);
        }

        public Reading Reading { get; }

        /// <summary><see cref="ReadingIdentity.Key"/> of <see cref="Reading"/>: the store's de-duplication key.</summary>
        public string IdentityKey { get; }

        /// <summary><see cref="Reading"/> as the store keeps it (<see cref="Storage.ReadingJson"/>).</summary>
        public string ReadingJson { get; }
    }

    public sealed record Rejected : IngestRecord
    {
        public Rejected(string origin, DateTimeOffset receivedAt, ReadOnlyMemory<byte> payload, DecodeError error)
            : base(origin, receivedAt, payload) => Error = error;

        public DecodeError Error { get; }
    }
}
