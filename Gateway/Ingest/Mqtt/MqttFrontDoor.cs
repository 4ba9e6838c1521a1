using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// The embedded broker's listeners, in place of MQTTnet's own TCP adapter: the plain port (<c>Mqtt:Port</c>), the TLS
/// port (<c>Mqtt:Tls</c>), and the limits that must act below MQTTnet's packet reader (<see cref="MqttLimitsOptions"/>):
/// the connection count, the packet size before the packet is buffered, and the per-client limits of
/// <see cref="LimitedChannelAdapter"/>. MQTTnet then handles each connection as it would its own.
/// </summary>
public sealed class MqttFrontDoor(
    IOptions<MqttLimitsOptions> limitsOptions,
    IOptions<MqttTlsOptions> tlsOptions,
    TimeProvider time,
    ILogger<MqttFrontDoor> logger) : IMqttServerAdapter
{
    private readonly List<Socket> _listeners = [];
    private readonly List<string> _endpoints = [];
    private CancellationTokenSource? _stopping;
    private SslStreamCertificateContext? _certificate;
    private MqttServerOptions? _serverOptions;
    private IMqttNetLogger? _mqttLogger;
    private int _open;

    private MqttLimitsOptions Limits => limitsOptions.Value;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Where it listens once started, e.g. <c>127.0.0.1:1883 (plain), 127.0.0.1:8883 (TLS)</c>.</summary>
    public string Endpoints => string.Join(", ", _endpoints);

    /// <summary>The connections open now, refused ones included until they are closed.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>
    /// Before the server is created: sessions persist as their clients ask (MQTT 5.0 §3.1.2.11.2, 3.1.1 §3.1.2.4),
    /// bounded by <see cref="MqttLimitsOptions.MaxSessionExpiry"/> which <see cref="Attach"/> enforces.
    /// </summary>
    public void Configure(MqttServerOptions options) => options.EnablePersistentSessions = true;

    /// <summary>After the server has started: expires the sessions it keeps, until the server stops.</summary>
    public void Attach(MqttServer server)
    {
        var stopping = _stopping?.Token ?? throw new InvalidOperationException("Attach after the server has started");
        _ = new MqttSessionExpiry(Limits, time, logger).RunAsync(server, stopping);
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger mqttLogger)
    {
        _serverOptions = options;
        _mqttLogger = mqttLogger;
        _stopping = new CancellationTokenSource();
        var tls = tlsOptions.Value;
        var endpoint = options.DefaultEndpointOptions;
        if (tls.Enabled)
        {
            var (certificate, intermediates) = tls.Load();
            // offline: the intermediates come from the PEM file; nothing is fetched when a client connects.
            _certificate = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
            Listen(endpoint, tls.Port, secure: true);
        }
        if (!tls.Enabled || tls.KeepPlainPort) Listen(endpoint, endpoint.Port, secure: false);
        else IngestLog.PlainPortClosed(logger, endpoint.Port);
        return Task.CompletedTask;
    }

    private void Listen(MqttServerTcpEndpointOptions endpoint, int port, bool secure)
    {
        foreach (var address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address })
        {
            if (address is null || address.Equals(IPAddress.None) || address.Equals(IPAddress.IPv6None)) continue;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                // A restart right after a crash must get its port back even while old connections linger in TIME_WAIT.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, endpoint.ReuseAddress);
                if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
                socket.Bind(new IPEndPoint(address, port));
                socket.Listen(endpoint.ConnectionBacklog);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            _listeners.Add(socket);
            _endpoints.Add($"{socket.LocalEndPoint} ({(secure ? "TLS" : "plain")})");
            _ = AcceptAsync(socket, secure, _stopping!.Token);
        }
    }

    private async Task AcceptAsync(Socket listener, bool secure, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // the client gave up before it was accepted
            }
            _ = Task.Run(() => HandleAsync(client, secure, ct), CancellationToken.None);
        }
    }

    private async Task HandleAsync(Socket socket, bool secure, CancellationToken ct)
    {
        var open = Interlocked.Increment(ref _open);
        var limits = Limits;
        EndPoint? remote = null;
        Stream? stream = null;
        try
        {
            remote = socket.RemoteEndPoint;
            // Past twice the maximum, not even a refusal is worth its handshake: close at once.
            if (open > 2 * limits.MaxConnections)
            {
                IngestLog.ConnectionLimitReached(logger, remote?.ToString() ?? "?", limits.MaxConnections);
                return;
            }
            socket.NoDelay = true;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (secure)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                handshake.CancelAfter(limits.HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = _certificate,
                    EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                    // The operating system's defaults: TLS 1.2 and 1.3 today, newer ones as they come.
                    EnabledSslProtocols = SslProtocols.None,
                }, handshake.Token).ConfigureAwait(false);
            }

            var channel = new PacketSizeGuardChannel(
                new MqttTcpChannel(stream, socket.LocalEndPoint, remote, clientCertificate: null),
                limits.MaxPacketBytes,
                announced =>
                {
                    IngestLog.PacketTooLarge(logger, remote?.ToString() ?? "?", limits.MaxPacketBytes);
                    IngestLog.PacketTooLargeDetail(logger, remote?.ToString() ?? "?", announced);
                });
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(_serverOptions!.WriterBufferSize, _serverOptions.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, _mqttLogger);
            if (open > limits.MaxConnections)
            {
                IngestLog.ConnectionLimitReached(logger, remote?.ToString() ?? "?", limits.MaxConnections);
                await RefuseAsync(adapter, limits.HandshakeTimeout, ct).ConfigureAwait(false);
                return;
            }
            if (ClientHandler is { } handler)
            {
                using var limited = new LimitedChannelAdapter(adapter, limits, time, logger);
                await handler(limited).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or AuthenticationException or IOException or SocketException)
        {
            // A handshake that timed out or failed (a plain client on the TLS port, an untrusted certificate) or a peer that went away.
            if (secure) IngestLog.TlsHandshakeFailed(logger, remote?.ToString() ?? "?", ex.GetType().Name);
        }
        catch (Exception ex)
        {
            IngestLog.ConnectionFailed(logger, ex, remote?.ToString() ?? "?");
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            else socket.Dispose();
        }
    }

    /// <summary>
    /// Answers the CONNECT of a connection over the maximum with "Quota exceeded" (MQTT 5.0 §3.2.2.2, 0x97), or for
    /// MQTT 3.1.1 "Server unavailable" (§3.2.2.3, return code 3), so the device's log says why.
    /// </summary>
    private static async Task RefuseAsync(IMqttChannelAdapter adapter, TimeSpan patience, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(patience);
        if (await adapter.ReceivePacketAsync(timeout.Token).ConfigureAwait(false) is not MqttConnectPacket) return;
        await adapter.SendPacketAsync(new MqttConnAckPacket
        {
            ReasonCode = MqttConnectReasonCode.QuotaExceeded,
            // MQTTnet's converter maps 0x97 to "unacceptable protocol version"; 3.1.1's nearest meaning is this one.
            ReturnCode = MqttConnectReturnCode.ConnectionRefusedServerUnavailable,
        }, timeout.Token).ConfigureAwait(false);
    }

    public Task StopAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public void Dispose() => Close();

    private void Close()
    {
        // Cancelled, not disposed: connections still running hold its token until MQTTnet lets them go.
        _stopping?.Cancel();
        foreach (var l in _listeners) l.Dispose();
        _listeners.Clear();
        _endpoints.Clear();
    }
}
