using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Vitals.Simulators.DeviceSimulator;

/// <summary>
/// Publishes the fleet's messages over MQTT with QoS 1: paced by <see cref="RatePacer"/>, each device always on the
/// same connection (so its messages stay in order), at most <see cref="SimulatorOptions.Inflight"/> unacknowledged
/// publishes per connection. Latency is publish start to PUBACK; the gateway acknowledges only after it committed the
/// reading, so this is publish-to-committed.
/// </summary>
public sealed class SimulatorRunner
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private const int MaxLoggedFailures = 10;

    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly LatencyRecorder _latency = new();
    private readonly Action<SimulatedMessage, DateTimeOffset>? _acknowledged;
    private readonly bool _logProgress;
    private readonly Dictionary<MalformedKind, long> _malformedSent = [];
    private long _sent;
    private long _acked;
    private long _failed;
    private long _resent;
    private long _rejected;
    private int _loggedFailures;

    /// <param name="acknowledged">called with each message the broker acknowledged with success, and when (the load command's committed time)</param>
    /// <param name="logProgress">false: no progress line every 5 s (the load command writes its own)</param>
    public SimulatorRunner(SimulatorOptions options, TimeProvider time, TextWriter log,
        Action<SimulatedMessage, DateTimeOffset>? acknowledged = null, bool logProgress = true)
    {
        _options = options;
        _time = time;
        _log = log;
        _acknowledged = acknowledged;
        _logProgress = logProgress;
    }

    /// <summary>Publishes sent so far (readable while the run goes on).</summary>
    public long SentSoFar => Interlocked.Read(ref _sent);

    /// <summary>Publishes acknowledged with success so far.</summary>
    public long AckedSoFar => Interlocked.Read(ref _acked);

    /// <summary>Publishes failed so far.</summary>
    public long FailedSoFar => Interlocked.Read(ref _failed);

    /// <summary>The publish-to-PUBACK latencies recorded so far, in the order their PUBACKs came.</summary>
    public LatencyRecorder Latency => _latency;

    /// <summary>Connects, publishes until a stop condition (count, duration, cancellation), drains, disconnects.</summary>
    /// <exception cref="SimulatorConnectException">A connection to the broker could not be made.</exception>
    public async Task<SimulatorReport> RunAsync(CancellationToken cancellationToken)
    {
        var devices = DeviceFleet.Create(_options.IdPrefix, _options.Kinds, _options.Devices);
        var source = new SimulatedMessageSource(devices, _options.Seed, _options.Malformed, _options.Gatt);
        var clientOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Count; i++)
        {
            clientOf[devices[i].Id] = i % _options.Clients;
        }

        var factory = new MqttClientFactory();
        var connections = new Connection[_options.Clients];
        var runId = Guid.NewGuid().ToString("N")[..8];
        try
        {
            for (var k = 0; k < connections.Length; k++)
            {
                // With per-device credentials there are as many connections as devices, so connection k carries
                // device k alone (clientOf above) and logs in as it.
                var user = _options.PerDeviceCredentials ? devices[k].Id : _options.Username;
                var password = _options.PerDeviceCredentials ? _options.PasswordOf(devices[k].Id) : _options.Password;
                connections[k] = new Connection(factory.CreateMqttClient(), new SemaphoreSlim(_options.Inflight, _options.Inflight), ClientOptions(k, runId, user, password), new SemaphoreSlim(1, 1));
            }
            // Connect time: the first CONNECT's start to the last CONNACK (all connections are opened at once).
            var connectStarted = _time.GetTimestamp();
            await Task.WhenAll(connections.Select(c => ConnectAsync(c.Client, c.Options, cancellationToken))).ConfigureAwait(false);
            var connectElapsed = _time.GetElapsedTime(connectStarted);
            _log.WriteLine($"device-simulator: {devices.Count} devices on {connections.Length} connection(s) to {_options.Host}:{_options.Port}");

            // The clock and the pacer start before the stop is armed: the measured duration then always covers the
            // requested one, so the rate computed from it never exceeds what the pacer allowed.
            using var drain = new CancellationTokenSource();
            var pacer = new RatePacer(_options.Rate, _time);
            var started = _time.GetTimestamp();
            var lastProgress = started;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_options.Duration is { } duration)
            {
                stop.CancelAfter(duration);
            }

            try
            {
                while (_options.Count == 0 || _sent < _options.Count)
                {
                    await pacer.WaitAsync(stop.Token).ConfigureAwait(false);
                    var message = source.Next(_time.GetLocalNow());
                    var connection = connections[clientOf[message.Device.Id]];
                    await connection.Inflight.WaitAsync(stop.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                    if (message.Malformed is { } kind)
                    {
                        _malformedSent[kind] = _malformedSent.GetValueOrDefault(kind) + 1;
                    }
                    _ = PublishAsync(connection, message, drain.Token);

                    if (_logProgress && _time.GetElapsedTime(lastProgress) >= ProgressInterval)
                    {
                        lastProgress = _time.GetTimestamp();
                        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"device-simulator: sent {_sent} acked {Interlocked.Read(ref _acked)} failed {Interlocked.Read(ref _failed)}"));
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Duration reached or Ctrl-C: stop sending, then wait for what is in flight.
            }

            // A retrying device waits for the gateway to come back; give it longer to drain.
            drain.CancelAfter(_options.Retry ? DrainTimeout * 8 : DrainTimeout);
            foreach (var connection in connections)
            {
                for (var i = 0; i < _options.Inflight; i++)
                {
                    await connection.Inflight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            var elapsed = _time.GetElapsedTime(started);

            var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
            return new SimulatorReport
            {
                Sent = _sent,
                Acked = Interlocked.Read(ref _acked),
                Failed = Interlocked.Read(ref _failed),
                Resent = Interlocked.Read(ref _resent),
                Rejected = Interlocked.Read(ref _rejected),
                MalformedSent = _malformedSent.Values.Sum(),
                MalformedByKind = Enum.GetValues<MalformedKind>().ToDictionary(k => k.ToString(), k => _malformedSent.GetValueOrDefault(k)),
                Devices = devices.Count,
                Clients = connections.Length,
                Seed = _options.Seed,
                DurationSeconds = Math.Round(elapsed.TotalSeconds, 3),
                ConnectSeconds = Math.Round(connectElapsed.TotalSeconds, 3),
                ThroughputPerSecond = Math.Round(Interlocked.Read(ref _acked) / seconds, 1),
                LatencyMs = _latency.Summarise(),
            };
        }
        finally
        {
            foreach (var connection in connections)
            {
                if (connection is null)
                {
                    continue;
                }
                if (connection.Client.IsConnected)
                {
                    try
                    {
                        await connection.Client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
                    {
                        // Already gone: nothing to close.
                    }
                }
                connection.Client.Dispose();
                connection.Inflight.Dispose();
                connection.Reconnect.Dispose();
            }
        }
    }

    private MqttClientOptions ClientOptions(int index, string runId, string? username, string? password)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(string.Create(CultureInfo.InvariantCulture, $"{_options.IdPrefix}-sim-{runId}-{index:000}"))
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithProtocolVersion(_options.Mqtt311 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500);
        if (username is not null)
        {
            builder = builder.WithCredentials(username, password ?? "");
        }
        return builder.Build();
    }

    private async Task ConnectAsync(IMqttClient client, MqttClientOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new SimulatorConnectException($"broker {_options.Host}:{_options.Port} refused connection {options.ClientId}: {result.ResultCode} {result.ReasonString}");
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Adapter.MqttConnectingFailedException)
        {
            throw new SimulatorConnectException($"cannot connect to the broker at {_options.Host}:{_options.Port}: {ex.Message}", ex);
        }
    }

    private async Task PublishAsync(Connection connection, SimulatedMessage message, CancellationToken drainToken)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!_options.Mqtt311)
        {
            builder = builder.WithContentType("application/json");
        }
        var start = _time.GetTimestamp();
        try
        {
            var result = _options.Retry
                ? await PublishUntilAcknowledgedAsync(connection, builder.Build(), drainToken).ConfigureAwait(false)
                : await connection.Client.PublishAsync(builder.Build(), drainToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                _latency.Record(_time.GetElapsedTime(start));
                Interlocked.Increment(ref _acked);
                _acknowledged?.Invoke(message, _time.GetUtcNow());
            }
            else if (result.ReasonCode == MqttClientPublishReasonCode.PayloadFormatInvalid && message.Malformed is not null)
            {
                // The gateway kept the bad payload in its rejected store and said so in the PUBACK: the expected
                // answer to a malformed message, not a failure.
                _latency.Record(_time.GetElapsedTime(start));
                Interlocked.Increment(ref _rejected);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                LogFailure($"{message.Topic}: PUBACK {result.ReasonCode} {result.ReasonString}");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // Not connected any more, or no PUBACK before the drain deadline: counted, reported, not fatal.
            Interlocked.Increment(ref _failed);
            LogFailure($"{message.Topic}: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            connection.Inflight.Release();
        }
    }

    /// <summary>
    /// At-least-once from the device's side: a publish that got no PUBACK (connection lost, gateway killed) is sent
    /// again after reconnecting, until it is acknowledged or the drain deadline passes. The gateway recognises a
    /// resend of a reading it already committed by the reading's identity (device, time, id).
    /// </summary>
    private async Task<MqttClientPublishResult> PublishUntilAcknowledgedAsync(Connection connection, MqttApplicationMessage message, CancellationToken drainToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (!connection.Client.IsConnected)
                {
                    await connection.Reconnect.WaitAsync(drainToken).ConfigureAwait(false);
                    try
                    {
                        if (!connection.Client.IsConnected)
                            await ConnectAsync(connection.Client, connection.Options, drainToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        connection.Reconnect.Release();
                    }
                }
                if (attempt > 0) Interlocked.Increment(ref _resent);
                return await connection.Client.PublishAsync(message, drainToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!drainToken.IsCancellationRequested
                && ex is MQTTnet.Exceptions.MqttCommunicationException or SimulatorConnectException or InvalidOperationException or OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _time, drainToken).ConfigureAwait(false);
            }
        }
    }

    private void LogFailure(string text)
    {
        var n = Interlocked.Increment(ref _loggedFailures);
        if (n <= MaxLoggedFailures)
        {
            _log.WriteLine($"device-simulator: publish failed: {text}");
        }
        else if (n == MaxLoggedFailures + 1)
        {
            _log.WriteLine("device-simulator: further publish failures are counted, not logged");
        }
    }

    private sealed record Connection(IMqttClient Client, SemaphoreSlim Inflight, MqttClientOptions Options, SemaphoreSlim Reconnect);
}
