using System.Security;
using System.Text;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace Vitals.Simulators.BleSimulator.DBus;

/// <summary>
/// Exports a tree of objects on one connection as BlueZ does: org.freedesktop.DBus.ObjectManager at "/"
/// (GetManagedObjects, InterfacesAdded, InterfacesRemoved), org.freedesktop.DBus.Properties and Introspectable on
/// every object, and each object's own interfaces. One handler for the whole tree ("/" with child paths), so objects
/// come and go (GATT attributes on resolve and disconnect) without re-registering handlers. Every method runs under
/// the daemon's lock; no exception leaves <see cref="HandleMethodAsync"/>.
/// </summary>
internal sealed class BusObjectTree : IPathMethodHandler
{
    public const string ObjectManager = "org.freedesktop.DBus.ObjectManager";
    public const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";

    private readonly SortedDictionary<string, BusObject> _objects = new(StringComparer.Ordinal);
    private readonly Lock _gate;
    private readonly ILogger _logger;

    public BusObjectTree(Lock gate, ILogger logger)
    {
        _gate = gate;
        _logger = logger;
    }

    public string Path => "/";

    public bool HandlesChildPaths => true;

    /// <summary>The connection signals go out on; null while "bluetoothd" is down.</summary>
    public DBusConnection? Connection { get; set; }

    public IEnumerable<BusObject> Objects => _objects.Values;

    public bool Contains(string path) => _objects.ContainsKey(path);

    /// <summary>Exports an object and announces it with InterfacesAdded.</summary>
    public void Add(BusObject obj)
    {
        if (!_objects.TryAdd(obj.Path, obj))
        {
            throw new InvalidOperationException($"{obj.Path} is already exported");
        }
        obj.Tree = this;
        EmitInterfacesAdded(obj);
    }

    /// <summary>Withdraws an object (and announces it with InterfacesRemoved); false if it was not exported.</summary>
    public bool Remove(string path)
    {
        if (!_objects.Remove(path, out var obj))
        {
            return false;
        }
        obj.Tree = null;
        EmitInterfacesRemoved(obj);
        return true;
    }

    /// <summary>Forgets every object without signals: the connection they were announced on is gone.</summary>
    public void Clear()
    {
        foreach (var obj in _objects.Values)
        {
            obj.Tree = null;
        }
        _objects.Clear();
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        lock (_gate)
        {
            try
            {
                Dispatch(context);
            }
            catch (Exception ex) when (ex is DBusMessageException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
            {
                // A body that does not match its signature: the caller's fault, never the connection's end.
                SimulatorLog.MethodFailed(_logger, context.Request.MemberAsString ?? "", ex);
                if (!context.ReplySent && !context.DisposesAsynchronously)
                {
                    TryReplyError(context, BluezErrors.InvalidArguments, ex.Message);
                }
            }
        }
        return default;
    }

    private void Dispatch(MethodContext context)
    {
        var request = context.Request;
        var path = request.PathAsString ?? "/";
        var @interface = request.InterfaceAsString ?? "";
        var member = request.MemberAsString ?? "";
        if (context.IsDBusIntrospectRequest)
        {
            ReplyIntrospect(context, path);
            return;
        }
        var call = new MethodCall(context, path, @interface, member, ex => SimulatorLog.ReplyFailed(_logger, member, ex));
        if (path == "/" && @interface == ObjectManager)
        {
            if (member == "GetManagedObjects" && call.Expect(""))
            {
                call.Reply("a{oa{sa{sv}}}", WriteManagedObjects);
            }
            else if (member != "GetManagedObjects")
            {
                context.ReplyUnknownMethodError();
            }
            return;
        }
        if (!_objects.TryGetValue(path, out var obj))
        {
            call.ReplyError(BluezErrors.UnknownObject, $"Method \"{member}\" with signature \"{call.Signature}\" on interface \"{@interface}\" doesn't exist");
            return;
        }
        if (@interface == PropertiesInterface)
        {
            HandleProperties(call, obj);
            return;
        }
        var target = @interface.Length > 0 ? obj.Find(@interface) : null;
        if (target is null || !target.TryHandle(call))
        {
            context.ReplyUnknownMethodError();
        }
    }

    private void HandleProperties(MethodCall call, BusObject obj)
    {
        switch (call.Member)
        {
            case "Get" when call.Expect("ss"):
            {
                var reader = call.GetBodyReader();
                var name = reader.ReadString();
                var property = reader.ReadString();
                var target = obj.Find(name);
                if (target is null)
                {
                    call.ReplyError(BluezErrors.DBusInvalidArgs, $"No such interface '{name}'");
                }
                else if (!target.Properties.TryGetValue(property, out var value))
                {
                    call.ReplyError(BluezErrors.DBusInvalidArgs, $"No such property '{property}'");
                }
                else
                {
                    call.Reply("v", (ref MessageWriter w) => w.WriteVariant(value));
                }
                return;
            }
            case "GetAll" when call.Expect("s"):
            {
                var name = call.GetBodyReader().ReadString();
                var target = obj.Find(name);
                if (target is null)
                {
                    call.ReplyError(BluezErrors.DBusInvalidArgs, $"No such interface '{name}'");
                }
                else
                {
                    call.Reply("a{sv}", (ref MessageWriter w) => w.WriteDictionary(target.Properties));
                }
                return;
            }
            case "Set" when call.Expect("ssv"):
            {
                var reader = call.GetBodyReader();
                var name = reader.ReadString();
                var property = reader.ReadString();
                var value = reader.ReadVariantValue();
                var target = obj.Find(name);
                var error = target is null
                    ? new DBusError(BluezErrors.DBusInvalidArgs, $"No such interface '{name}'")
                    : target.SetFromClient(call.Sender, property, value);
                if (error is null)
                {
                    call.ReplyEmpty();
                }
                else
                {
                    call.ReplyError(error.Name, error.Message);
                }
                return;
            }
            case "Get" or "GetAll" or "Set":
                return; // Expect replied InvalidArguments.
            default:
                call.ReplyError("org.freedesktop.DBus.Error.UnknownMethod", $"Unknown method {call.Member} on {PropertiesInterface}");
                return;
        }
    }

    private void WriteManagedObjects(ref MessageWriter writer)
    {
        var all = writer.WriteDictionaryStart();
        foreach (var obj in _objects.Values)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteObjectPath(obj.Path);
            WriteInterfaces(ref writer, obj);
        }
        writer.WriteDictionaryEnd(all);
    }

    /// <summary>a{sa{sv}}: the standard interfaces first (as BlueZ lists them, with no properties), then the object's own.</summary>
    private static void WriteInterfaces(ref MessageWriter writer, BusObject obj)
    {
        var interfaces = writer.WriteDictionaryStart();
        foreach (var standard in (ReadOnlySpan<string>)[Introspectable, PropertiesInterface])
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(standard);
            writer.WriteDictionary(Array.Empty<KeyValuePair<string, VariantValue>>());
        }
        foreach (var i in obj.Interfaces)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(i.Name);
            writer.WriteDictionary(i.Properties);
        }
        writer.WriteDictionaryEnd(interfaces);
    }

    internal void EmitPropertiesChanged(string path, string @interface, string property, VariantValue value) =>
        EmitPropertiesChangedSignal(path, @interface, [new KeyValuePair<string, VariantValue>(property, value)], []);

    internal void EmitPropertyInvalidated(string path, string @interface, string property) =>
        EmitPropertiesChangedSignal(path, @interface, [], [property]);

    private void EmitPropertiesChangedSignal(string path, string @interface, KeyValuePair<string, VariantValue>[] changed, string[] invalidated)
    {
        var connection = Connection;
        if (connection is null)
        {
            return;
        }
        using var writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, path, PropertiesInterface, "PropertiesChanged", "sa{sv}as");
        writer.WriteString(@interface);
        writer.WriteDictionary(changed);
        writer.WriteArray(invalidated);
        Send(connection, writer.CreateMessage());
    }

    private void EmitInterfacesAdded(BusObject obj)
    {
        var connection = Connection;
        if (connection is null)
        {
            return;
        }
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteSignalHeader(null, "/", ObjectManager, "InterfacesAdded", "oa{sa{sv}}");
            writer.WriteObjectPath(obj.Path);
            WriteInterfaces(ref writer, obj);
            Send(connection, writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void EmitInterfacesRemoved(BusObject obj)
    {
        var connection = Connection;
        if (connection is null)
        {
            return;
        }
        using var writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, "/", ObjectManager, "InterfacesRemoved", "oas");
        writer.WriteObjectPath(obj.Path);
        writer.WriteArray(new[] { Introspectable, PropertiesInterface }.Concat(obj.Interfaces.Select(i => i.Name)).ToArray());
        Send(connection, writer.CreateMessage());
    }

    private void Send(DBusConnection connection, MessageBuffer message)
    {
        try
        {
            if (!connection.TrySendMessage(message))
            {
                SimulatorLog.SignalDropped(_logger);
            }
        }
        catch (ObjectDisposedException)
        {
            SimulatorLog.SignalDropped(_logger);
        }
    }

    private void ReplyIntrospect(MethodContext context, string path)
    {
        var xml = new StringBuilder();
        xml.Append("<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n<node>\n");
        xml.Append(" <interface name=\"org.freedesktop.DBus.Introspectable\"><method name=\"Introspect\"><arg name=\"xml\" type=\"s\" direction=\"out\"/></method></interface>\n");
        if (path == "/")
        {
            xml.Append(" <interface name=\"org.freedesktop.DBus.ObjectManager\"><method name=\"GetManagedObjects\"><arg name=\"objects\" type=\"a{oa{sa{sv}}}\" direction=\"out\"/></method>")
               .Append("<signal name=\"InterfacesAdded\"><arg name=\"object\" type=\"o\"/><arg name=\"interfaces\" type=\"a{sa{sv}}\"/></signal>")
               .Append("<signal name=\"InterfacesRemoved\"><arg name=\"object\" type=\"o\"/><arg name=\"interfaces\" type=\"as\"/></signal></interface>\n");
        }
        if (_objects.TryGetValue(path, out var obj))
        {
            xml.Append(" <interface name=\"org.freedesktop.DBus.Properties\"/>\n");
            foreach (var i in obj.Interfaces)
            {
                xml.Append(" <interface name=\"").Append(SecurityElement.Escape(i.Name)).Append("\"/>\n");
            }
        }
        var prefix = path == "/" ? "/" : path + "/";
        var children = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in _objects.Keys)
        {
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                var rest = key.AsSpan(prefix.Length);
                var slash = rest.IndexOf('/');
                children.Add((slash < 0 ? rest : rest[..slash]).ToString());
            }
        }
        foreach (var child in children)
        {
            xml.Append(" <node name=\"").Append(child).Append("\"/>\n");
        }
        xml.Append("</node>\n");
        var text = xml.ToString();
        var call = new MethodCall(context, path, Introspectable, "Introspect", ex => SimulatorLog.ReplyFailed(_logger, "Introspect", ex));
        call.Reply("s", (ref MessageWriter w) => w.WriteString(text));
    }

    private void TryReplyError(MethodContext context, string name, string message)
    {
        try
        {
            context.ReplyError(name, message);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or DBusConnectionException)
        {
            SimulatorLog.ReplyFailed(_logger, "error reply", ex);
        }
    }
}
