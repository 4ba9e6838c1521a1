using Tmds.DBus.Protocol;

namespace Vitals.Simulators.BleSimulator.DBus;

/// <summary>
/// One incoming method call on an exported object. Replies never throw: the caller may have left the bus, or
/// "bluetoothd" may have restarted (the connection is disposed) while an asynchronous call was pending, and an
/// exception escaping a Tmds.DBus method handler would drop the whole connection (bluez.md, pitfalls).
/// </summary>
internal sealed class MethodCall
{
    private readonly MethodContext _context;
    private readonly Action<Exception> _onReplyFailure;

    public MethodCall(MethodContext context, string path, string @interface, string member, Action<Exception> onReplyFailure)
    {
        _context = context;
        _onReplyFailure = onReplyFailure;
        Path = path;
        Interface = @interface;
        Member = member;
        Sender = context.Request.SenderAsString ?? "";
        Signature = context.Request.SignatureAsString ?? "";
    }

    public string Path { get; }

    public string Interface { get; }

    public string Member { get; }

    /// <summary>The caller's unique bus name (":1.42"): notify sessions, discovery sessions and agents belong to it.</summary>
    public string Sender { get; }

    public string Signature { get; }

    /// <summary>The request body; only while the call is being handled (the message returns to a pool on dispose).</summary>
    public Reader GetBodyReader() => _context.Request.GetBodyReader();

    /// <summary>False (and an InvalidArguments reply sent) when the body is not of <paramref name="signature"/>.</summary>
    public bool Expect(string signature)
    {
        if (string.Equals(Signature, signature, StringComparison.Ordinal))
        {
            return true;
        }
        ReplyError(BluezErrors.InvalidArguments, $"Invalid arguments in method call: expected ({signature}), got ({Signature})");
        return false;
    }

    public void ReplyEmpty()
    {
        try
        {
            using var writer = _context.CreateReplyWriter(null);
            _context.Reply(writer.CreateMessage());
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or DBusConnectionException)
        {
            _onReplyFailure(ex);
        }
    }

    public void ReplyBytes(byte[] value)
    {
        try
        {
            using var writer = _context.CreateReplyWriter("ay");
            writer.WriteArray(value);
            _context.Reply(writer.CreateMessage());
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or DBusConnectionException)
        {
            _onReplyFailure(ex);
        }
    }

    /// <summary>Writes a reply with <paramref name="write"/> (the writer is passed by ref: MessageWriter is a ref struct).</summary>
    public void Reply(string signature, WriteBody write)
    {
        try
        {
            var writer = _context.CreateReplyWriter(signature);
            try
            {
                write(ref writer);
                _context.Reply(writer.CreateMessage());
            }
            finally
            {
                writer.Dispose();
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or DBusConnectionException)
        {
            _onReplyFailure(ex);
        }
    }

    public void ReplyError(string name, string message)
    {
        try
        {
            _context.ReplyError(name, message);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or DBusConnectionException)
        {
            _onReplyFailure(ex);
        }
    }

    /// <summary>
    /// Continues the call after the handler returns, so that the connection keeps reading messages meanwhile: a
    /// handler that awaits a call on the same connection (Pair asking the agent) would otherwise deadlock
    /// (bluez.md, pitfalls). Whatever <paramref name="work"/> throws becomes an org.bluez.Error.Failed reply.
    /// </summary>
    public void ContinueAsync(Func<MethodCall, Task> work)
    {
        _context.DisposesAsynchronously = true;
        _ = Task.Run(async () =>
        {
            try
            {
                await work(this).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _onReplyFailure(ex);
                if (!_context.ReplySent)
                {
                    ReplyError(BluezErrors.Failed, ex.Message);
                }
            }
            finally
            {
                try
                {
                    _context.Dispose();
                }
                catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or DBusConnectionException)
                {
                    _onReplyFailure(ex);
                }
            }
        });
    }

    public delegate void WriteBody(ref MessageWriter writer);
}
