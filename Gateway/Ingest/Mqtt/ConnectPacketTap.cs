using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Packets;
using MQTTnet.Server;
using MQTTnet.Server.Internal.Adapter;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// A listener (the front door) with each connection's CONNECT packet kept where the connection check can read it.
/// MQTTnet's <see cref="ValidatingConnectionEventArgs"/> exposes neither the Will (MQTT 3.1.1 §3.1.2.5, MQTT 5.0
/// §3.1.2.5) nor a way to give an MQTT 3.1.1 client the identifier the server assigns (§3.1.3-6): it assigns one for
/// MQTT 5 only. <see cref="TappedChannel.ConnectPacket"/> is the very packet MQTTnet then validates and uses.
/// </summary>
internal sealed class ConnectPacketTap(IMqttServerAdapter inner) : IMqttServerAdapter
{
    private readonly IMqttServerAdapter _inner = inner;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _inner.ClientHandler = channel => ClientHandler is { } handler ? HandleAsync(handler, channel) : Task.CompletedTask;
        return _inner.StartAsync(options, logger);
    }

    private static async Task HandleAsync(Func<IMqttChannelAdapter, Task> handler, IMqttChannelAdapter channel)
    {
        // Not disposed here: the listener that created the channel disposes it.
        await handler(new TappedChannel(channel)).ConfigureAwait(false);
    }

    public Task StopAsync() => _inner.StopAsync();

    public void Dispose() => _inner.Dispose();
}

/// <summary>A connection's channel that remembers the first packet received, which MQTT requires to be CONNECT.</summary>
internal sealed class TappedChannel(IMqttChannelAdapter inner) : DelegatingChannelAdapter(inner)
{
    /// <summary>The CONNECT packet once received (MQTT 3.1.1 §3.1 and MQTT 5.0 §3.1: the first packet of a connection).</summary>
    public MqttConnectPacket? ConnectPacket { get; private set; }

    private bool _first = true;

    public override async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        var packet = await Inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
        if (_first)
        {
            _first = false;
            ConnectPacket = packet as MqttConnectPacket;
        }
        return packet;
    }

    // The listener owns and disposes the inner channel: nothing of its own to dispose.
}
