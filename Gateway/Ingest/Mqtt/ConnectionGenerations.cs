namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// Which network connection a received PUBLISH belongs to, so its PUBACK is sent on that connection or not at all.
/// </summary>
/// <remarks>
/// A Packet Identifier names a message only within one network connection's exchange (MQTT 5.0 §2.2.1, §4.3.2): the
/// broker reuses it once acknowledged, and on a resumed session it resends unacknowledged PUBLISH packets with their
/// Packet Identifier and DUP=1 (§4.4, §3.3.1.1). A PUBACK from a commit that finished after the client reconnected
/// would therefore land on the new connection and could acknowledge another message, one the gateway has not
/// committed yet. Every connect starts a new generation; an acknowledgement of an older generation, or one while the
/// client is not connected, is dropped: the broker redelivers that message and the store recognises the duplicate.
/// Starting a connection and sending an acknowledgement exclude each other, so a check that passed cannot be overtaken
/// by a reconnect before the PUBACK is handed to the client.
/// </remarks>
internal sealed class ConnectionGenerations : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _current;
    // Cancels the acknowledgements of the connection that is being replaced (see ConnectAsync).
    private CancellationTokenSource _acknowledgements = new();

    /// <summary>The generation of the connection messages arrive on now; captured when a message is received.</summary>
    public long Current => Interlocked.Read(ref _current);

    /// <summary>
    /// Runs <paramref name="connect"/> as a new generation: messages received from here on belong to it, and no
    /// acknowledgement of an earlier one is sent while it runs or after.
    /// </summary>
    public async Task ConnectAsync(Func<Task> connect, CancellationToken ct)
    {
        // A connect starts only once the client has seen its connection go, so an acknowledgement still under way is
        // stuck on a dead socket and holds the gate: cancel it. Its message was not acknowledged; the broker redelivers it.
        await Volatile.Read(ref _acknowledgements).CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _current);
            _acknowledgements.Dispose();
            Volatile.Write(ref _acknowledgements, new CancellationTokenSource());
            await connect().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="acknowledge"/> if <paramref name="generation"/> is still the current connection's and
    /// <paramref name="isConnected"/> says it is up. False when it was not run. The token it is given is cancelled when
    /// the next connect starts. (A state argument rather than closures: this runs once for every message.)
    /// </summary>
    public async Task<bool> AcknowledgeAsync<TState>(
        long generation, TState state, Func<TState, bool> isConnected, Func<TState, CancellationToken, Task> acknowledge)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (generation != Current || !isConnected(state)) return false;
            await acknowledge(state, _acknowledgements.Token).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _acknowledgements.Dispose();
    }
}
