using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>
/// The exported org.bluez.Agent1 object (capability KeyboardDisplay: health devices display a passkey the gateway
/// enters, bluez.md). It only answers for pairings this gateway started (<see cref="Expect"/>); anything else is
/// rejected. Every request is handled asynchronously (<see cref="MethodContext.DisposesAsynchronously"/>), so a passkey
/// source that calls back on the same connection cannot deadlock, and every exception becomes an error reply: one
/// escaping a handler would drop the whole bus connection (bluez.md pitfalls). Passkeys are never logged.
/// </summary>
internal sealed class BlueZAgent(ILogger logger) : IPathMethodHandler
{
    public const string ObjectPath = "/org/vitals/gateway/agent";
    public const string Capability = "KeyboardDisplay";

    private static readonly ReadOnlyMemory<byte> IntrospectionXml = Encoding.UTF8.GetBytes("""
        <interface name="org.bluez.Agent1">
          <method name="Release"/>
          <method name="RequestPinCode"><arg type="o" direction="in"/><arg type="s" direction="out"/></method>
          <method name="DisplayPinCode"><arg type="o" direction="in"/><arg type="s" direction="in"/></method>
          <method name="RequestPasskey"><arg type="o" direction="in"/><arg type="u" direction="out"/></method>
          <method name="DisplayPasskey"><arg type="o" direction="in"/><arg type="u" direction="in"/><arg type="q" direction="in"/></method>
          <method name="RequestConfirmation"><arg type="o" direction="in"/><arg type="u" direction="in"/></method>
          <method name="RequestAuthorization"><arg type="o" direction="in"/></method>
          <method name="AuthorizeService"><arg type="o" direction="in"/><arg type="s" direction="in"/></method>
          <method name="Cancel"/>
        </interface>
        """);

    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<uint?>>> _expected = new(StringComparer.Ordinal);

    public string Path => ObjectPath;

    public bool HandlesChildPaths => false;

    /// <summary>A pairing of <paramref name="devicePath"/> is under way; its passkey comes from <paramref name="passkey"/>.</summary>
    public IDisposable Expect(string devicePath, Func<CancellationToken, Task<uint?>>? passkey)
    {
        _expected[devicePath] = passkey ?? (static _ => Task.FromResult<uint?>(null));
        return new Expectation(this, devicePath);
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([IntrospectionXml], Array.Empty<string>());
            return ValueTask.CompletedTask;
        }
        context.DisposesAsynchronously = true;
        _ = HandleAsync(context);
        return ValueTask.CompletedTask;
    }

    private async Task HandleAsync(MethodContext context)
    {
        // Off the connection's dispatch loop before anything can await a call on the same connection.
        await Task.Yield();
        var member = context.Request.MemberAsString ?? "";
        try
        {
            if (context.Request.InterfaceAsString != BlueZNames.Agent1)
            {
                context.ReplyUnknownMethodError();
                return;
            }
            switch (member)
            {
                case "RequestPasskey":
                {
                    var device = ReadDevice(context);
                    if (!_expected.TryGetValue(device, out var source))
                    {
                        Reject(context, member, device, "no pairing of this device was requested by the gateway");
                        return;
                    }
                    var passkey = await source(context.RequestAborted).ConfigureAwait(false);
                    if (passkey is not { } value)
                    {
                        Reject(context, member, device, "no passkey is known for this device (devices pair --passkey)");
                        return;
                    }
                    using var writer = context.CreateReplyWriter("u");
                    writer.WriteUInt32(value);
                    context.Reply(writer.CreateMessage());
                    BlueZLog.AgentAnswered(logger, member, device);
                    return;
                }
                case "RequestConfirmation":
                case "RequestAuthorization":
                case "AuthorizeService":
                case "DisplayPasskey":
                case "DisplayPinCode":
                {
                    var device = ReadDevice(context);
                    if (!_expected.ContainsKey(device))
                    {
                        Reject(context, member, device, "no pairing of this device was requested by the gateway");
                        return;
                    }
                    ReplyEmpty(context);
                    BlueZLog.AgentAnswered(logger, member, device);
                    return;
                }
                case "RequestPinCode":
                    // Legacy PIN pairing is not how BLE health devices pair.
                    Reject(context, member, ReadDevice(context), "PIN code pairing is not supported");
                    return;
                case "Release":
                case "Cancel":
                    ReplyEmpty(context);
                    return;
                default:
                    context.ReplyUnknownMethodError();
                    return;
            }
        }
        catch (Exception ex)
        {
            BlueZLog.AgentFailed(logger, ex, member);
            try
            {
                context.ReplyError(BlueZNames.ErrorRejected, "the gateway's agent failed");
            }
            catch (Exception replyFailure)
            {
                BlueZLog.AgentFailed(logger, replyFailure, member);
            }
        }
        finally
        {
            context.Dispose();
        }
    }

    private static string ReadDevice(MethodContext context) => context.Request.GetBodyReader().ReadObjectPathAsString();

    private static void ReplyEmpty(MethodContext context)
    {
        if (context.NoReplyExpected) return;
        using var writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }

    private void Reject(MethodContext context, string member, string device, string why)
    {
        BlueZLog.AgentRejected(logger, member, device, why);
        context.ReplyError(BlueZNames.ErrorRejected, why);
    }

    private sealed class Expectation(BlueZAgent agent, string devicePath) : IDisposable
    {
        public void Dispose() => agent._expected.TryRemove(devicePath, out _);
    }
}
