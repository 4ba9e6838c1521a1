using System.Net.Sockets;
using System.Text;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>
/// MQTT 3.1.1 packets written by hand over a socket, for what no client library lets a test see: the moment a PUBREC
/// arrives (before any PUBREL is sent), a DUP resend with the same packet identifier, keep-alive expiry.
/// </summary>
public sealed class RawMqttConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawMqttConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _stream.ReadTimeout = 10_000;
    }

    /// <summary>CONNECT (MQTT 3.1.1 §3.1) with a zero-length client id and CleanSession=1; returns the CONNACK return code.</summary>
    public static async Task<(RawMqttConnection Connection, byte ReturnCode)> ConnectAsync(int port, ushort keepAliveSeconds = 60)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var c = new RawMqttConnection(tcp);
        var body = new List<byte>();
        body.AddRange(Str("MQTT"));
        body.Add(4); // protocol level 3.1.1
        body.Add(0x02); // CleanSession
        body.Add((byte)(keepAliveSeconds >> 8));
        body.Add((byte)keepAliveSeconds);
        body.AddRange(Str(""));
        await c.SendAsync(0x10, body);
        var connack = await c.ReadPacketAsync();
        return (c, connack.Body[1]);
    }

    /// <summary>PUBLISH (§3.3) at QoS 2 with packet identifier <paramref name="id"/>; DUP set for a resend (§3.3.1.1).</summary>
    public Task PublishQos2Async(string topic, string payload, ushort id, bool dup)
    {
        var body = new List<byte>(Str(topic)) { (byte)(id >> 8), (byte)id };
        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return SendAsync((byte)(0x34 | (dup ? 0x08 : 0)), body);
    }

    public Task PubRelAsync(ushort id) => SendAsync(0x62, [(byte)(id >> 8), (byte)id]);

    public Task PingAsync() => SendAsync(0xC0, []);

    /// <summary>The next packet's first byte and body; throws when the server closed the connection.</summary>
    public async Task<(byte Header, byte[] Body)> ReadPacketAsync()
    {
        var header = await ReadByteAsync() ?? throw new IOException("connection closed by the server");
        int length = 0, shift = 0;
        byte b;
        do
        {
            b = await ReadByteAsync() ?? throw new IOException("connection closed mid-packet");
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        var body = new byte[length];
        await _stream.ReadExactlyAsync(body);
        return (header, body);
    }

    /// <summary>True when the server closes the connection within <paramref name="within"/> (reads hit end of stream).</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        try
        {
            var buffer = new byte[256];
            while (await _stream.ReadAsync(buffer, cts.Token) > 0) { }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<byte?> ReadByteAsync()
    {
        var one = new byte[1];
        return await _stream.ReadAsync(one) == 0 ? null : one[0];
    }

    private async Task SendAsync(byte header, List<byte> body)
    {
        var packet = new List<byte> { header };
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        packet.AddRange(body);
        await _stream.WriteAsync(packet.ToArray());
    }

    private static byte[] Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
