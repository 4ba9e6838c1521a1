using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// Ends sessions whose client has been away longer than it may be. MQTTnet keeps a persistent session until the
/// client comes back, however long that is; the Session Expiry Interval (MQTT 5.0 §3.1.2.11.2, capped by
/// <see cref="LimitedChannelAdapter"/>) says how long the server has to. An MQTT 3.1.1 session (CleanSession=0) has no
/// expiry of its own and gets <see cref="MqttLimitsOptions.MaxSessionExpiry"/>: 3.1.1 lets a server discard session
/// state for administrative reasons (MQTT 3.1.1 §3.1.2.4, non-normative comment).
/// </summary>
internal sealed class MqttSessionExpiry(MqttLimitsOptions limits, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(MqttServer server, CancellationToken ct)
    {
        // Often enough that a session outlives its expiry by a tenth at most, and never busier than once a second.
        var period = TimeSpan.FromTicks(Math.Clamp(limits.MaxSessionExpiry.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(server).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One failed sweep must not end the sweeping: the next tick tries again.
                    IngestLog.SessionSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes every session whose client has been disconnected for longer than its expiry; returns how many.</summary>
    internal async Task<int> SweepAsync(MqttServer server)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var cap = limits.MaxSessionExpirySeconds;
        var deleted = 0;
        foreach (var session in await server.GetSessionsAsync().ConfigureAwait(false))
        {
            if (session.DisconnectedTimestamp is not { } since) continue;
            var expiry = session.ExpiryInterval == 0 ? cap : Math.Min(session.ExpiryInterval, cap);
            if (now - since < TimeSpan.FromSeconds(expiry)) continue;
            // Looked up again just before: a client that came back since the list was taken keeps its session
            // (deleting it would also disconnect the client).
            if ((await CurrentAsync(server, session.Id).ConfigureAwait(false))?.DisconnectedTimestamp is null) continue;
            await session.DeleteAsync().ConfigureAwait(false);
            IngestLog.SessionExpired(logger, SafeText.Escape(session.Id, 64));
            deleted++;
        }
        return deleted;
    }

    /// <summary>The session now, or null when it has gone since the list was taken (MQTTnet's GetSessionAsync throws
    /// then: a clean-start reconnect or the broker's own clean-up removed it, which is what the sweep wanted).</summary>
    private static async Task<MqttSessionStatus?> CurrentAsync(MqttServer server, string id)
    {
        try
        {
            return await server.GetSessionAsync(id).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
