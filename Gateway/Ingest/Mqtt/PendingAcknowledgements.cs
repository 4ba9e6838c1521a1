using MQTTnet;
using MQTTnet.Packets;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// One connection's acknowledgements that wait for their message's commit. MQTTnet's server handles a connection's
/// publishes one after the other and sends the PUBACK when the publish interceptor returns; if the interceptor waited for
/// the commit, a connection would have one message in the group commit at a time, whatever its in-flight window. So the
/// interceptor queues the message, hands the commit here (<see cref="TryDefer"/>) and returns; MQTTnet reads the next
/// publish while the connection's sender holds the PUBACK until <see cref="WaitAsync"/> says the message is durable.
/// MQTT 5.0 §4.9 (Flow Control) allows a client up to Receive Maximum unacknowledged QoS 1 and 2 publishes; this is
/// what lets them share a commit. Once a commit fails, nothing more is acknowledged on the connection (it is closed):
/// the client sends those messages again when it reconnects.
/// </summary>
internal sealed class PendingAcknowledgements
{
    private readonly Dictionary<ushort, Pending> _pending = [];
    private readonly Lock _lock = new();
    private MqttPublishPacket? _dispatching;
    private bool _withheld;

    /// <summary>The decision about one acknowledgement: send it (with the outcome when it waited for one) or withhold it.</summary>
    internal readonly record struct Decision(bool Send, IngestOutcome? Outcome, string? Topic, Exception? Failure);

    private readonly record struct Pending(string Topic, Task<IngestOutcome> Committed);

    /// <summary>The connection's reader hands MQTTnet this QoS 1 or 2 publish; its interceptor runs next.</summary>
    public void Dispatching(MqttPublishPacket publish)
    {
        lock (_lock) _dispatching = publish;
    }

    /// <summary>
    /// Makes the acknowledgement of <paramref name="message"/> wait for <paramref name="committed"/>. False when the
    /// message is not the publish this connection is dispatching (a connection taking over the client id meanwhile): the
    /// caller then waits for the commit itself, as without pipelining.
    /// </summary>
    public bool TryDefer(MqttApplicationMessage message, Task<IngestOutcome> committed)
    {
        lock (_lock)
        {
            // The interceptor's message is made from the packet (MQTTnet's MqttApplicationMessageFactory): same topic
            // string, same payload buffer.
            if (_dispatching is not { } publish || !ReferenceEquals(publish.Topic, message.Topic) || !publish.Payload.Start.Equals(message.Payload.Start))
                return false;
            _dispatching = null;
            var id = publish.PacketIdentifier;
            // A resend (DUP) of a publish still in flight (MQTT 3.1.1 §4.4) has the same id: its acknowledgement waits
            // for both commits.
            _pending[id] = _pending.TryGetValue(id, out var earlier)
                ? new Pending(message.Topic, BothAsync(earlier.Committed, committed))
                : new Pending(message.Topic, committed);
            return true;
        }
    }

    /// <summary>Waits until the acknowledgement of <paramref name="packetId"/> may be sent, or must not be.</summary>
    public async Task<Decision> WaitAsync(ushort packetId, CancellationToken ct)
    {
        Pending pending;
        lock (_lock)
        {
            if (_withheld) return new Decision(false, null, null, null);
            if (!_pending.Remove(packetId, out pending)) return new Decision(true, null, null, null);
        }
        try
        {
            var outcome = await pending.Committed.WaitAsync(ct).ConfigureAwait(false);
            lock (_lock) return _withheld ? new Decision(false, null, null, null) : new Decision(true, outcome, pending.Topic, null);
        }
        catch (Exception ex)
        {
            // Not committed (the store failed, the gateway is stopping, the connection closed): never acknowledged.
            lock (_lock) _withheld = true;
            return new Decision(false, null, pending.Topic, ex);
        }
    }

    private static async Task<IngestOutcome> BothAsync(Task<IngestOutcome> first, Task<IngestOutcome> second)
    {
        await first.ConfigureAwait(false);
        return await second.ConfigureAwait(false);
    }
}
