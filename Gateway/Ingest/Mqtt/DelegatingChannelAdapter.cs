using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A connection's channel passed through to MQTTnet unchanged but for what a subclass overrides: the place to watch
/// or adjust packets between the socket and MQTTnet's server, which has no hooks there.
/// </summary>
internal abstract class DelegatingChannelAdapter(IMqttChannelAdapter inner) : IMqttChannelAdapter
{
    protected IMqttChannelAdapter Inner { get; } = inner;

    public long BytesReceived => Inner.BytesReceived;
    public long BytesSent => Inner.BytesSent;
    public X509Certificate2 ClientCertificate => Inner.ClientCertificate;
    public EndPoint RemoteEndPoint => Inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => Inner.LocalEndPoint;
    public bool IsSecureConnection => Inner.IsSecureConnection;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => Inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => Inner.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => Inner.DisconnectAsync(cancellationToken);
    public void ResetStatistics() => Inner.ResetStatistics();

    public virtual Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => Inner.ReceivePacketAsync(cancellationToken);
    public virtual Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => Inner.SendPacketAsync(packet, cancellationToken);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
