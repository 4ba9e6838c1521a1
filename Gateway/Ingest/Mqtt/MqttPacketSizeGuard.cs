using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// Follows the packet boundaries in a byte stream from the fixed headers alone and says when a packet announces more
/// than the limit. MQTTnet allocates a packet's whole body as soon as it has read its Remaining Length, so a client
/// that announces 256 MB and then trickles would make the broker hold 256 MB per connection; this reads the same
/// header first and stops the stream before the length reaches MQTTnet.
/// </summary>
/// <remarks>
/// Every MQTT control packet starts with a fixed header: one byte of type and flags, then the Remaining Length as a
/// Variable Byte Integer of one to four bytes, seven bits each, least significant first, the top bit meaning "more"
/// (MQTT 3.1.1 §2.2.3, MQTT 5.0 §2.1.4 and §1.5.5). The packet's size is those bytes plus Remaining Length.
/// </remarks>
internal sealed class MqttPacketSizeGuard(int maxPacketBytes)
{
    private enum State { TypeByte, Length, Body }

    private State _state = State.TypeByte;
    private int _lengthBytes;
    private long _length;
    private long _bodyLeft;

    public int MaxPacketBytes { get; } = maxPacketBytes;

    /// <summary>
    /// Moves over <paramref name="bytes"/>, the next bytes of the stream. False when they complete (or already make
    /// impossible) a packet larger than <see cref="MaxPacketBytes"/>, or a Remaining Length longer than four bytes;
    /// <paramref name="announced"/> is then the size the header announces so far.
    /// </summary>
    public bool TryAdvance(ReadOnlySpan<byte> bytes, out long announced)
    {
        announced = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.TypeByte:
                    i++;
                    _state = State.Length;
                    _lengthBytes = 0;
                    _length = 0;
                    break;
                case State.Length:
                    var b = bytes[i++];
                    _length |= (long)(b & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    announced = 1 + _lengthBytes + _length;
                    // Failing on the partial value already stops a length that can only grow past the limit.
                    if (announced > MaxPacketBytes) return false;
                    if ((b & 0x80) != 0)
                    {
                        // §1.5.5 / §2.2.3: at most four bytes; a fifth is a malformed packet.
                        if (_lengthBytes == 4) return false;
                        break;
                    }
                    _bodyLeft = _length;
                    _state = _bodyLeft == 0 ? State.TypeByte : State.Body;
                    break;
                case State.Body:
                    var n = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += n;
                    _bodyLeft -= n;
                    if (_bodyLeft == 0) _state = State.TypeByte;
                    break;
            }
        }
        return true;
    }
}

/// <summary>
/// The network channel under MQTTnet's packet reader, with <see cref="MqttPacketSizeGuard"/> watching what it reads:
/// a packet over the limit reads as the end of the stream, so MQTTnet closes the connection without having buffered it.
/// </summary>
internal sealed class PacketSizeGuardChannel(IMqttChannel inner, int maxPacketBytes, Action<long> onTooLarge) : IMqttChannel
{
    private readonly MqttPacketSizeGuard _guard = new(maxPacketBytes);
    private bool _closed;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_closed) return 0;
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        if (read > 0 && !_guard.TryAdvance(buffer.AsSpan(offset, read), out var announced))
        {
            // Too large or malformed: the receiver closes the network connection (MQTT 3.1.1 §4.8, MQTT 5.0 §4.13 and
            // §3.2.2.3.6). The bytes just read are not passed on, so MQTTnet never learns the length it would allocate.
            _closed = true;
            onTooLarge(announced);
            await inner.DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
        return read;
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();
}
