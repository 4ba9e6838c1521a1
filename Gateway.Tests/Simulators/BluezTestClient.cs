using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// A minimal central written straight over Tmds.DBus.Protocol, as the BLE simulator's tests' client: calls with a
/// timeout (CallMethodAsync has none, bluez.md), GetManagedObjects, and every signal received, waitable. Deliberately
/// independent of the gateway's own BlueZ client so the simulator is checked against the BlueZ API, not against it.
/// </summary>
internal sealed class BluezTestClient : IAsyncDisposable
{
    public const string Service = "org.bluez";
    public const string AdapterPath = "/org/bluez/hci0";
    public const string Device1 = "org.bluez.Device1";
    public const string Adapter1 = "org.bluez.Adapter1";
    public const string Characteristic1 = "org.bluez.GattCharacteristic1";
    public const string Service1 = "org.bluez.GattService1";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly DBusConnection _connection;
    private readonly List<BluezSignal> _signals = [];
    private readonly List<(Func<BluezSignal, bool> Match, int From, TaskCompletionSource<BluezSignal> Found)> _waiters = [];
    private readonly List<IDisposable> _subscriptions = [];

    private bool _discovering;

    private BluezTestClient(DBusConnection connection) => _connection = connection;

    public string UniqueName => _connection.UniqueName ?? "";

    public DBusConnection Connection => _connection;

    public static async Task<BluezTestClient> ConnectAsync(string address)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        var client = new BluezTestClient(connection);
        foreach (var (@interface, member) in new[]
        {
            ("org.freedesktop.DBus.Properties", "PropertiesChanged"),
            ("org.freedesktop.DBus.ObjectManager", "InterfacesAdded"),
            ("org.freedesktop.DBus.ObjectManager", "InterfacesRemoved"),
            ("org.freedesktop.DBus", "NameOwnerChanged"),
        })
        {
            var rule = new MatchRule { Type = MessageType.Signal, Interface = @interface, Member = member };
            if (member == "NameOwnerChanged")
            {
                rule.Arg0 = Service;
            }
            client._subscriptions.Add(await connection.AddMatchAsync(rule, static (Message m, object? _) => Read(m),
                (Notification<BluezSignal> n) =>
                {
                    if (n.HasValue)
                    {
                        ((BluezTestClient)n.State!).OnSignal(n.Value);
                    }
                }, emitOnCapturedContext: false, state: client));
        }
        return client;
    }

    /// <summary>The number of signals so far: pass it to <see cref="WaitForAsync"/> to look only at later ones.</summary>
    public int Mark()
    {
        lock (_signals)
        {
            return _signals.Count;
        }
    }

    public List<BluezSignal> SignalsSince(int mark)
    {
        lock (_signals)
        {
            return _signals.Skip(mark).ToList();
        }
    }

    /// <summary>The first signal at or after <paramref name="from"/> that matches; fails after the timeout.</summary>
    public async Task<BluezSignal> WaitForAsync(Func<BluezSignal, bool> match, int from = 0, TimeSpan? timeout = null)
    {
        var found = new TaskCompletionSource<BluezSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_signals)
        {
            var existing = _signals.Skip(from).FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }
            _waiters.Add((match, from, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            lock (_signals)
            {
                var seen = string.Join("\n", _signals.Skip(from).Select(s => $"{s.Member} {s.Path} {s.Interface} [{string.Join(",", s.Properties.Keys)}] [{string.Join(",", s.Names)}]"));
                throw new TimeoutException($"no matching signal; received since mark:\n{seen}");
            }
        }
        finally
        {
            lock (_signals)
            {
                _waiters.RemoveAll(w => w.Found == found);
            }
        }
    }

    public Task CallAsync(string path, string @interface, string member, string? signature = null, WriteArgs? write = null) =>
        _connection.CallMethodAsync(Create(path, @interface, member, signature, write)).WaitAsync(CallTimeout);

    public Task<T> CallAsync<T>(string path, string @interface, string member, MessageValueReader<T> reader, string? signature = null, WriteArgs? write = null) =>
        _connection.CallMethodAsync(Create(path, @interface, member, signature, write), reader).WaitAsync(CallTimeout);

    public Task<Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>>> GetManagedObjectsAsync() =>
        CallAsync("/", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", static (Message m, object? _) =>
        {
            var reader = m.GetBodyReader();
            var result = new Dictionary<string, Dictionary<string, Dictionary<string, VariantValue>>>(StringComparer.Ordinal);
            var objects = reader.ReadDictionaryStart();
            while (reader.HasNext(objects))
            {
                var path = reader.ReadObjectPathAsString();
                result[path] = ReadInterfaces(ref reader);
            }
            return result;
        });

    public Task<VariantValue> GetPropertyAsync(string path, string @interface, string property) =>
        CallAsync(path, "org.freedesktop.DBus.Properties", "Get", static (Message m, object? _) => m.GetBodyReader().ReadVariantValue(), "ss",
            (ref MessageWriter w) =>
            {
                w.WriteString(@interface);
                w.WriteString(property);
            });

    public Task SetPropertyAsync(string path, string @interface, string property, VariantValue value) =>
        CallAsync(path, "org.freedesktop.DBus.Properties", "Set", "ssv", (ref MessageWriter w) =>
        {
            w.WriteString(@interface);
            w.WriteString(property);
            w.WriteVariant(value);
        });

    public Task<byte[]> ReadValueAsync(string characteristicPath) =>
        CallAsync(characteristicPath, Characteristic1, "ReadValue", static (Message m, object? _) => m.GetBodyReader().ReadArrayOfByte(), "a{sv}",
            (ref MessageWriter w) => w.WriteDictionary(new Dictionary<string, VariantValue>()));

    public Task WriteValueAsync(string characteristicPath, byte[] value) =>
        CallAsync(characteristicPath, Characteristic1, "WriteValue", "aya{sv}", (ref MessageWriter w) =>
        {
            w.WriteArray(value);
            w.WriteDictionary(new Dictionary<string, VariantValue> { ["type"] = VariantValue.String("request") });
        });

    /// <summary>Connect, then wait for ServicesResolved (Connect returns before services are resolved).</summary>
    public async Task ConnectAndResolveAsync(string devicePath)
    {
        var mark = Mark();
        await CallAsync(devicePath, Device1, "Connect");
        if (!(await GetPropertyAsync(devicePath, Device1, "ServicesResolved")).GetBool())
        {
            await WaitForAsync(s => s.IsPropertyChange(devicePath, "ServicesResolved") && s.Properties["ServicesResolved"].GetBool(), mark);
        }
    }

    /// <summary>Discovery with no filter until the device's object exists.</summary>
    public async Task DiscoverAsync(string devicePath)
    {
        if (!_discovering)
        {
            await CallAsync(AdapterPath, Adapter1, "StartDiscovery");
            _discovering = true;
        }
        var objects = await GetManagedObjectsAsync();
        if (!objects.ContainsKey(devicePath))
        {
            await WaitForAsync(s => s.Member == "InterfacesAdded" && s.Path == devicePath);
        }
    }

    /// <summary>The path of a device's characteristic, found by UUID (paths carry handles: never hard-code them).</summary>
    public async Task<string> FindCharacteristicAsync(string devicePath, ushort uuid)
    {
        var full = $"0000{uuid:x4}-0000-1000-8000-00805f9b34fb";
        var objects = await GetManagedObjectsAsync();
        return objects.Single(o => o.Key.StartsWith(devicePath + "/", StringComparison.Ordinal)
            && o.Value.TryGetValue(Characteristic1, out var props) && props["UUID"].GetString() == full).Key;
    }

    public static string DevicePath(string address) => AdapterPath + "/dev_" + address.Replace(':', '_');

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
        _connection.Dispose();
        await Task.CompletedTask;
    }

    private MessageBuffer Create(string path, string @interface, string member, string? signature, WriteArgs? write)
    {
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(destination: Service, path: path, @interface: @interface, member: member, signature: signature);
            write?.Invoke(ref writer);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void OnSignal(BluezSignal signal)
    {
        List<TaskCompletionSource<BluezSignal>> matched = [];
        lock (_signals)
        {
            _signals.Add(signal);
            var index = _signals.Count - 1;
            foreach (var waiter in _waiters.Where(w => index >= w.From && w.Match(signal)).ToList())
            {
                matched.Add(waiter.Found);
                _waiters.Remove(waiter);
            }
        }
        foreach (var found in matched)
        {
            found.TrySetResult(signal);
        }
    }

    private static BluezSignal Read(Message message)
    {
        var reader = message.GetBodyReader();
        var member = message.MemberAsString ?? "";
        var empty = new Dictionary<string, VariantValue>();
        var none = new Dictionary<string, Dictionary<string, VariantValue>>();
        switch (member)
        {
            case "PropertiesChanged":
            {
                var @interface = reader.ReadString();
                var changed = reader.ReadDictionaryOfStringToVariantValue();
                var invalidated = reader.ReadArrayOfString();
                return new BluezSignal(message.Serial, member, message.PathAsString ?? "", @interface, changed, invalidated, none);
            }
            case "InterfacesAdded":
            {
                var path = reader.ReadObjectPathAsString();
                var interfaces = ReadInterfaces(ref reader);
                return new BluezSignal(message.Serial, member, path, null, empty, [.. interfaces.Keys], interfaces);
            }
            case "InterfacesRemoved":
            {
                var path = reader.ReadObjectPathAsString();
                return new BluezSignal(message.Serial, member, path, null, empty, reader.ReadArrayOfString(), none);
            }
            default:
                return new BluezSignal(message.Serial, member, message.PathAsString ?? "", null, empty, [reader.ReadString(), reader.ReadString(), reader.ReadString()], none);
        }
    }

    private static Dictionary<string, Dictionary<string, VariantValue>> ReadInterfaces(ref Reader reader)
    {
        var result = new Dictionary<string, Dictionary<string, VariantValue>>(StringComparer.Ordinal);
        var interfaces = reader.ReadDictionaryStart();
        while (reader.HasNext(interfaces))
        {
            var name = reader.ReadString();
            result[name] = reader.ReadDictionaryOfStringToVariantValue();
        }
        return result;
    }

    public delegate void WriteArgs(ref MessageWriter writer);
}
