using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>The per-client limits between a connection and MQTTnet's server, with scripted packets instead of a socket.</summary>
public sealed class LimitedChannelAdapterTests
{
    private sealed class ScriptedAdapter : IMqttChannelAdapter
    {
        public Channel<MqttPacket> Incoming { get; } = Channel.CreateUnbounded<MqttPacket>();
        public List<MqttPacket> Sent { get; } = [];
        public long BytesReceived => 0;
        public long BytesSent => 0;
        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1);
        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 2);
        public bool IsSecureConnection => false;
        public MqttPacketFormatterAdapter PacketFormatterAdapter { get; } = new(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65535));
        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => await Incoming.Reader.ReadAsync(cancellationToken);
        public void ResetStatistics() { }
        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
        {
            lock (Sent) Sent.Add(packet);
            return Task.CompletedTask;
        }
        public void Dispose() { }
    }

    private static MqttLimitsOptions Limits(int receiveMaximum) =>
        new() { ReceiveMaximum = receiveMaximum, PublishesPerSecond = 1000, PublishBurst = 1000, MaxSessionExpiry = TimeSpan.FromHours(1) };

    private static MqttPublishPacket Publish(ushort id, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        new() { Topic = "vitals/x/body-temperature", PacketIdentifier = id, QualityOfServiceLevel = qos };

    [Fact]
    public async Task A_publish_over_Receive_Maximum_is_held_until_one_is_acknowledged()
    {
        var inner = new ScriptedAdapter();
        using var limited = new LimitedChannelAdapter(inner, Limits(2), TimeProvider.System, NullLogger.Instance);
        foreach (var id in new ushort[] { 1, 2, 3 }) await inner.Incoming.Writer.WriteAsync(Publish(id));

        await limited.ReceivePacketAsync(default);
        await limited.ReceivePacketAsync(default);
        var third = limited.ReceivePacketAsync(default);
        await Task.Delay(200); // the absence of progress: nothing else can complete it
        Assert.False(third.IsCompleted);

        await limited.SendPacketAsync(new MqttPubAckPacket { PacketIdentifier = 1 }, default);

        Assert.Equal((ushort)3, ((MqttPublishPacket)await third.WaitAsync(TimeSpan.FromSeconds(10))).PacketIdentifier);
    }

    [Fact]
    public async Task A_resent_publish_still_in_flight_takes_no_second_slot_and_QoS_0_takes_none()
    {
        var inner = new ScriptedAdapter();
        using var limited = new LimitedChannelAdapter(inner, Limits(1), TimeProvider.System, NullLogger.Instance);
        await inner.Incoming.Writer.WriteAsync(Publish(7));
        await inner.Incoming.Writer.WriteAsync(Publish(7));
        await inner.Incoming.Writer.WriteAsync(Publish(0, MqttQualityOfServiceLevel.AtMostOnce));

        for (var i = 0; i < 3; i++) await limited.ReceivePacketAsync(default).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CONNACK_carries_the_limits_and_the_capped_session_expiry()
    {
        var inner = new ScriptedAdapter();
        using var limited = new LimitedChannelAdapter(inner, Limits(5), TimeProvider.System, NullLogger.Instance);
        await inner.Incoming.Writer.WriteAsync(new MqttConnectPacket { ClientId = "c", SessionExpiryInterval = uint.MaxValue });

        var connect = (MqttConnectPacket)await limited.ReceivePacketAsync(default);
        await limited.SendPacketAsync(new MqttConnAckPacket(), default);

        Assert.Equal(3600u, connect.SessionExpiryInterval); // what MQTTnet then keeps the session by
        var connAck = Assert.IsType<MqttConnAckPacket>(Assert.Single(inner.Sent));
        Assert.Equal(3600u, connAck.SessionExpiryInterval);
        Assert.Equal((ushort)5, connAck.ReceiveMaximum);
        Assert.Equal(256u * 1024, connAck.MaximumPacketSize);
    }
}
