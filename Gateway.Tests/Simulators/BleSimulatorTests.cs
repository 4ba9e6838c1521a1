using Tmds.DBus.Protocol;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Simulators;

/// <summary>
/// The BLE simulator behaves as BlueZ 5.66 towards a central (docs/bluez.md, simulators/BleSimulator/README.md): each test runs the real
/// simulator process on its own private dbus-daemon and talks to it as a raw D-Bus client.
/// </summary>
public sealed class BleSimulatorTests : IAsyncLifetime
{
    private const string Thermometer = "C0:FF:EE:00:00:01";
    private const string BpMonitor = "C0:FF:EE:00:00:02";
    private const string Respiratory = "C0:FF:EE:00:00:04";
    private const string AgentPath = "/test/agent";

    private DBusDaemon _bus = null!;
    private BleSimulatorProcess _simulator = null!;
    private BluezTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _bus = await DBusDaemon.StartAsync();
        _simulator = await BleSimulatorProcess.StartAsync(_bus.Address);
        _client = await BluezTestClient.ConnectAsync(_bus.Address);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _simulator.DisposeAsync();
        await _bus.DisposeAsync();
    }

    [Fact]
    public async Task GetManagedObjects_after_start_shows_the_adapter_and_agent_manager_and_no_device_before_discovery()
    {
        var objects = await _client.GetManagedObjectsAsync();

        Assert.Contains("org.bluez.AgentManager1", objects["/org/bluez"].Keys);
        var adapter = objects[BluezTestClient.AdapterPath];
        Assert.Contains("org.bluez.GattManager1", adapter.Keys);
        Assert.True(adapter[BluezTestClient.Adapter1]["Powered"].GetBool());
        Assert.False(adapter[BluezTestClient.Adapter1]["Discovering"].GetBool());
        Assert.Matches("^([0-9A-F]{2}:){5}[0-9A-F]{2}$", adapter[BluezTestClient.Adapter1]["Address"].GetString());
        Assert.DoesNotContain(objects.Keys, k => k.Contains("/dev_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discovery_with_a_UUID_filter_finds_the_matching_devices_with_BlueZ_properties()
    {
        await _client.CallAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "SetDiscoveryFilter", "a{sv}", (ref MessageWriter w) =>
            w.WriteDictionary(new Dictionary<string, VariantValue>
            {
                ["UUIDs"] = VariantValue.Array(new[] { "00001809-0000-1000-8000-00805f9b34fb" }),
                ["Transport"] = VariantValue.String("le"),
                ["DuplicateData"] = VariantValue.Bool(false),
            }));
        var mark = _client.Mark();
        await _client.CallAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "StartDiscovery");

        var added = await _client.WaitForAsync(s => s.Member == "InterfacesAdded" && s.Path == BluezTestClient.DevicePath(Thermometer), mark);
        var device = added.Interfaces[BluezTestClient.Device1];
        Assert.Equal(Thermometer, device["Address"].GetString());
        Assert.Equal("public", device["AddressType"].GetString());
        Assert.Equal("Vitals Thermometer", device["Name"].GetString());
        Assert.Contains("00001809-0000-1000-8000-00805f9b34fb", device["UUIDs"].GetArray<string>());
        Assert.True(device.ContainsKey("RSSI"));
        Assert.False(device["Paired"].GetBool());
        Assert.True((await _client.GetPropertyAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "Discovering")).GetBool());
        var objects = await _client.GetManagedObjectsAsync();
        Assert.Single(objects.Keys, k => k.Contains("/dev_", StringComparison.Ordinal));

        // An empty filter clears it: every device in range is reported.
        await _client.CallAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "StopDiscovery");
        await _client.CallAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "SetDiscoveryFilter", "a{sv}", (ref MessageWriter w) =>
            w.WriteDictionary(new Dictionary<string, VariantValue>()));
        await _client.CallAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "StartDiscovery");
        objects = await _client.GetManagedObjectsAsync();
        Assert.Equal(4, objects.Keys.Count(k => k.EndsWith("dev_C0_FF_EE_00_00_0" + k[^1], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_reading_taken_as_a_user_carries_that_User_ID_on_the_cuff_and_none_without_one()
    {
        var asUser2 = await _simulator.TakeReadingAsync(BpMonitor, user: 2);
        var plain = await _simulator.TakeReadingAsync(BpMonitor);

        Assert.Equal(2, asUser2.User);
        Assert.True(BloodPressureMeasurement.TryParse(asUser2.Bytes, out var withUser, out _));
        Assert.Equal((byte)2, withUser.UserId);
        Assert.Null(plain.User);
        Assert.True(BloodPressureMeasurement.TryParse(plain.Bytes, out var without, out _));
        Assert.Null(without.UserId);
    }

    [Fact]
    public async Task Connect_returns_before_services_resolve_and_the_GATT_objects_appear_with_full_UUIDs()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        await _client.DiscoverAsync(device);
        var mark = _client.Mark();

        var replySerial = await _client.CallAsync(device, BluezTestClient.Device1, "Connect", static (Message m, object? _) => m.Serial);

        Assert.True((await _client.GetPropertyAsync(device, BluezTestClient.Device1, "Connected")).GetBool());
        var resolved = await _client.WaitForAsync(s => s.IsPropertyChange(device, "ServicesResolved") && s.Properties["ServicesResolved"].GetBool(), mark);
        var signals = _client.SignalsSince(mark);
        // Serials order the simulator's messages: the link came up before Connect returned, services resolved after.
        Assert.True(signals.Single(s => s.IsPropertyChange(device, "Connected")).Serial < replySerial);
        Assert.True(resolved.Serial > replySerial);
        var serviceAdded = signals.FindIndex(s => s.Member == "InterfacesAdded" && s.Names.Contains(BluezTestClient.Service1));
        Assert.InRange(serviceAdded, 0, signals.IndexOf(resolved) - 1);

        var objects = await _client.GetManagedObjectsAsync();
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.TemperatureMeasurement);
        var properties = objects[measurement][BluezTestClient.Characteristic1];
        Assert.Equal(["indicate"], properties["Flags"].GetArray<string>());
        Assert.False(properties["Notifying"].GetBool());
        var servicePath = properties["Service"].GetObjectPathAsString();
        Assert.Equal("00001809-0000-1000-8000-00805f9b34fb", objects[servicePath][BluezTestClient.Service1]["UUID"].GetString());
        Assert.True(objects[servicePath][BluezTestClient.Service1]["Primary"].GetBool());
        Assert.Equal(device, objects[servicePath][BluezTestClient.Service1]["Device"].GetObjectPathAsString());

        // A second Connect is refused as BlueZ does; Disconnect of an unbonded device drops its attribute cache.
        var again = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(device, BluezTestClient.Device1, "Connect"));
        Assert.Equal("org.bluez.Error.AlreadyConnected", again.ErrorName);
        mark = _client.Mark();
        await _client.CallAsync(device, BluezTestClient.Device1, "Disconnect");
        await _client.WaitForAsync(s => s.Member == "InterfacesRemoved" && s.Path == measurement, mark);
        var notConnected = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(device, BluezTestClient.Device1, "Disconnect"));
        Assert.Equal("org.bluez.Error.NotConnected", notConnected.ErrorName);
    }

    [Fact]
    public async Task A_reading_with_notify_armed_is_exactly_one_PropertiesChanged_whose_bytes_parse_to_the_reported_values()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        await _client.DiscoverAsync(device);
        await _client.ConnectAndResolveAsync(device);
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.TemperatureMeasurement);
        await _client.CallAsync(measurement, BluezTestClient.Characteristic1, "StartNotify");
        Assert.True((await _client.GetPropertyAsync(measurement, BluezTestClient.Characteristic1, "Notifying")).GetBool());
        var mark = _client.Mark();

        var reading = await _simulator.TakeReadingAsync(Thermometer);

        Assert.Equal("indicated", reading.Delivered);
        Assert.Equal("2a1c", reading.Uuid);
        var signal = await _client.WaitForAsync(s => s.IsValueChange(measurement), mark);
        Assert.Equal(reading.Bytes, signal.Value);
        // The next reading's signal proves no duplicate of the first came in between.
        var next = await _simulator.TakeReadingAsync(Thermometer);
        await _client.WaitForAsync(s => s.IsValueChange(measurement) && s.Value.SequenceEqual(next.Bytes), mark);
        Assert.Single(_client.SignalsSince(mark), s => s.IsValueChange(measurement) && s.Value.SequenceEqual(reading.Bytes));

        Assert.True(TemperatureMeasurement.TryParse(signal.Value, out var parsed, out _));
        Assert.Equal(reading.Value("temperature"), parsed.Temperature.Value);
        Assert.Equal(2, parsed.Temperature.Value.Scale);
        Assert.InRange(parsed.Temperature.Value, 36.4m, 37.4m);
        Assert.Equal(reading.DeviceTime, parsed.TimeStamp!.Value.ToString());
        // The thermometer's clock runs 7 minutes fast (simulators/BleSimulator/README.md).
        Assert.True(parsed.TimeStamp.Value.TryGetDateTime(out var deviceTime));
        Assert.Equal(reading.TakenAt.UtcDateTime.AddMinutes(7), deviceTime);
    }

    [Fact]
    public async Task A_blood_pressure_reading_is_preceded_by_intermediate_cuff_pressures_and_parses_to_the_reported_values()
    {
        var device = BluezTestClient.DevicePath(BpMonitor);
        await _client.DiscoverAsync(device);
        await _client.ConnectAndResolveAsync(device);
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.BloodPressureMeasurement);
        var cuff = await _client.FindCharacteristicAsync(device, GattUuids.IntermediateCuffPressure);
        await _client.CallAsync(measurement, BluezTestClient.Characteristic1, "StartNotify");
        await _client.CallAsync(cuff, BluezTestClient.Characteristic1, "StartNotify");
        var mark = _client.Mark();

        var reading = await _simulator.TakeReadingAsync(BpMonitor);

        var final = await _client.WaitForAsync(s => s.IsValueChange(measurement), mark);
        var signals = _client.SignalsSince(mark);
        var cuffSignals = signals.Take(signals.IndexOf(final)).Where(s => s.IsValueChange(cuff)).ToList();
        Assert.Equal(3, cuffSignals.Count);
        Assert.All(cuffSignals, s => Assert.True(IntermediateCuffPressure.TryParse(s.Value, out var p, out _) && p.CurrentCuffPressure.HasValue));
        Assert.True(BloodPressureMeasurement.TryParse(final.Value, out var bp, out _));
        Assert.Equal(reading.Value("systolic"), bp.Systolic.Value);
        Assert.Equal(reading.Value("diastolic"), bp.Diastolic.Value);
        Assert.Equal(reading.Value("mean"), bp.MeanArterial.Value);
        Assert.Equal(reading.Value("pulse"), bp.PulseRate!.Value.Value);
        Assert.InRange(bp.Systolic.Value, 110m, 140m);
        Assert.InRange(bp.Diastolic.Value, 70m, 90m);

        // Writing Current Time sets the BP monitor's clock (it starts an hour slow).
        Assert.Equal(-3600, (await _simulator.GetDevicesAsync()).Single(d => d.Address == BpMonitor).ClockOffsetSeconds, 0);
        var clock = await _client.FindCharacteristicAsync(device, GattUuids.CurrentTime);
        var now = new byte[CurrentTime.Length];
        CurrentTime.From(DateTime.UtcNow, CurrentTime.ExternalReferenceTimeUpdate).TryFormat(now, out _);
        await _client.WriteValueAsync(clock, now);
        Assert.InRange((await _simulator.GetDevicesAsync()).Single(d => d.Address == BpMonitor).ClockOffsetSeconds, -2, 2);
    }

    [Fact]
    public async Task The_thermometer_clock_is_readable_but_not_writable()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        await _client.DiscoverAsync(device);
        await _client.ConnectAndResolveAsync(device);
        var clock = await _client.FindCharacteristicAsync(device, GattUuids.CurrentTime);

        var value = await _client.ReadValueAsync(clock);

        Assert.True(CurrentTime.TryParse(value, out var time, out _));
        Assert.True(time.TryGetDateTime(out var deviceNow));
        Assert.InRange((deviceNow - DateTime.UtcNow).TotalSeconds, 7 * 60 - 5, 7 * 60 + 5);
        var refused = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.WriteValueAsync(clock, value));
        Assert.Equal("org.bluez.Error.NotPermitted", refused.ErrorName);
    }

    [Fact]
    public async Task Pair_asks_the_default_agent_for_the_passkey_on_its_own_connection()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        await _client.DiscoverAsync(device);

        var noAgent = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(device, BluezTestClient.Device1, "Pair"));
        Assert.Equal("org.bluez.Error.AuthenticationRejected", noAgent.ErrorName);

        var wrong = await RegisterAgentAsync(_client, 654321);
        var failed = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(device, BluezTestClient.Device1, "Pair"));
        Assert.Equal("org.bluez.Error.AuthenticationFailed", failed.ErrorName);
        Assert.Equal([device], wrong.PasskeyRequests);
        Assert.False((await _client.GetPropertyAsync(device, BluezTestClient.Device1, "Paired")).GetBool());

        // Another client with the right passkey becomes the default agent.
        await using var second = await BluezTestClient.ConnectAsync(_bus.Address);
        var right = await RegisterAgentAsync(second, 123456);
        await _client.CallAsync(device, BluezTestClient.Device1, "Pair");

        Assert.Equal([device], right.PasskeyRequests);
        Assert.True((await _client.GetPropertyAsync(device, BluezTestClient.Device1, "Paired")).GetBool());
        Assert.True((await _client.GetPropertyAsync(device, BluezTestClient.Device1, "Bonded")).GetBool());
        var again = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(device, BluezTestClient.Device1, "Pair"));
        Assert.Equal("org.bluez.Error.AlreadyExists", again.ErrorName);
        await _client.SetPropertyAsync(device, BluezTestClient.Device1, "Trusted", VariantValue.Bool(true));
        Assert.Contains(await _simulator.GetDevicesAsync(), d => d.Address == Thermometer && d.Paired && d.Trusted);
    }

    [Fact]
    public async Task A_bonded_device_releases_its_stored_readings_after_reconnect_to_the_armed_notify_session()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        var measurement = await PairConnectAndNotifyAsync(device);
        var mark = _client.Mark();

        var stored = await _simulator.StoreAsync(Thermometer, 3);

        Assert.All(stored, r => Assert.Equal("stored", r.Delivered));
        await _client.WaitForAsync(s => s.IsPropertyChange(device, "Connected") && !s.Properties["Connected"].GetBool(), mark);
        // Bonded: the attribute cache and the notify session survive the link loss.
        Assert.True((await _client.GetPropertyAsync(measurement, BluezTestClient.Characteristic1, "Notifying")).GetBool());
        Assert.Equal(3, (await _simulator.GetDevicesAsync()).Single(d => d.Address == Thermometer).Stored);

        mark = _client.Mark();
        await _client.ConnectAndResolveAsync(device);
        foreach (var reading in stored)
        {
            await _client.WaitForAsync(s => s.IsValueChange(measurement) && s.Value.SequenceEqual(reading.Bytes), mark);
        }
        var values = _client.SignalsSince(mark).Where(s => s.IsValueChange(measurement)).Select(s => Convert.ToHexStringLower(s.Value)).ToList();
        Assert.Equal(stored.Select(r => r.Hex), values);
        Assert.All((await _simulator.GetReadingsAsync()).Where(r => stored.Any(s => s.TakenAt == r.TakenAt)), r => Assert.Equal("indicated", r.Delivered));
    }

    [Fact]
    public async Task Stored_readings_released_on_reconnect_with_no_notify_session_are_lost()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        var measurement = await PairConnectAndNotifyAsync(device);
        await _simulator.DisconnectAsync(Thermometer);
        await _client.WaitForAsync(s => s.IsPropertyChange(device, "Connected") && !s.Properties["Connected"].GetBool());
        // The session goes while the link is down: BlueZ cannot clear the device's CCCD, the device keeps it.
        await _client.CallAsync(measurement, BluezTestClient.Characteristic1, "StopNotify");
        var stored = await _simulator.StoreAsync(Thermometer, 2);
        var mark = _client.Mark();

        await _client.ConnectAndResolveAsync(device);

        var readings = await WaitForReadingsAsync(r => stored.Any(s => s.TakenAt == r.TakenAt) && r.Delivered != "stored", stored.Count);
        Assert.All(readings, r => Assert.Equal("lost", r.Delivered));
        Assert.DoesNotContain(_client.SignalsSince(mark), s => s.IsValueChange(measurement));
        Assert.Equal(0, (await _simulator.GetDevicesAsync()).Single(d => d.Address == Thermometer).Stored);
        // The console logger writes from its own queue: the warning may reach stderr just after the control API answered.
        await Eventually.TrueAsync(() => _simulator.Process.OutputTail.Contains("LOST", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the simulator's warning about lost readings");
    }

    [Fact]
    public async Task An_unbonded_device_keeps_its_stored_readings_until_the_first_StartNotify()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        var stored = await _simulator.StoreAsync(Thermometer, 2);
        await _client.DiscoverAsync(device);
        await _client.ConnectAndResolveAsync(device);
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.TemperatureMeasurement);
        var mark = _client.Mark();

        await _client.CallAsync(measurement, BluezTestClient.Characteristic1, "StartNotify");

        foreach (var reading in stored)
        {
            await _client.WaitForAsync(s => s.IsValueChange(measurement) && s.Value.SequenceEqual(reading.Bytes), mark);
        }
    }

    [Fact]
    public async Task A_notify_session_belongs_to_its_connection_and_goes_when_that_connection_closes()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        await _client.DiscoverAsync(device);
        await _client.ConnectAndResolveAsync(device);
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.TemperatureMeasurement);
        var other = await BluezTestClient.ConnectAsync(_bus.Address);
        await other.CallAsync(measurement, BluezTestClient.Characteristic1, "StartNotify");
        var stopped = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(measurement, BluezTestClient.Characteristic1, "StopNotify"));
        Assert.Equal("org.bluez.Error.Failed", stopped.ErrorName);
        Assert.True((await _client.GetPropertyAsync(measurement, BluezTestClient.Characteristic1, "Notifying")).GetBool());
        var mark = _client.Mark();

        await other.DisposeAsync();

        await _client.WaitForAsync(s => s.IsPropertyChange(measurement, "Notifying") && !s.Properties["Notifying"].GetBool(), mark);
        var reading = await _simulator.TakeReadingAsync(Thermometer);
        Assert.Equal("stored", reading.Delivered);
    }

    [Fact]
    public async Task Restarting_bluetoothd_changes_the_owner_of_org_bluez_and_reexports_bonded_devices_unpowered()
    {
        var device = BluezTestClient.DevicePath(Thermometer);
        await PairConnectAndNotifyAsync(device);
        await _client.DiscoverAsync(BluezTestClient.DevicePath(BpMonitor));
        var mark = _client.Mark();

        var newOwner = await _simulator.RestartBluetoothdAsync();

        var lost = await _client.WaitForAsync(s => s.Member == "NameOwnerChanged" && s.Names[2].Length == 0, mark);
        var gained = await _client.WaitForAsync(s => s.Member == "NameOwnerChanged" && s.Names[2] == newOwner, mark);
        Assert.NotEqual(lost.Names[1], gained.Names[2]);
        var objects = await _client.GetManagedObjectsAsync();
        Assert.False(objects[BluezTestClient.AdapterPath][BluezTestClient.Adapter1]["Powered"].GetBool());
        var thermometer = objects[device][BluezTestClient.Device1];
        Assert.True(thermometer["Paired"].GetBool());
        Assert.False(thermometer["Connected"].GetBool());
        Assert.False(objects.ContainsKey(BluezTestClient.DevicePath(BpMonitor)));

        var notReady = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.CallAsync(device, BluezTestClient.Device1, "Connect"));
        Assert.Equal("org.bluez.Error.NotReady", notReady.ErrorName);
        await _client.SetPropertyAsync(BluezTestClient.AdapterPath, BluezTestClient.Adapter1, "Powered", VariantValue.Bool(true));
        await _client.ConnectAndResolveAsync(device);
        // Notify sessions did not survive the restart.
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.TemperatureMeasurement);
        Assert.False((await _client.GetPropertyAsync(measurement, BluezTestClient.Characteristic1, "Notifying")).GetBool());
    }

    [Fact]
    public async Task GHS_stored_records_come_only_through_RACP_and_live_observations_arrive_in_segments()
    {
        var device = BluezTestClient.DevicePath(Respiratory);
        var stored = await _simulator.StoreAsync(Respiratory, 2);
        Assert.All(stored, r => Assert.Equal("2bdd", r.Uuid));
        await _client.DiscoverAsync(device);
        await _client.ConnectAndResolveAsync(device);
        var racp = await _client.FindCharacteristicAsync(device, GattUuids.RecordAccessControlPoint);
        var records = await _client.FindCharacteristicAsync(device, GattUuids.StoredHealthObservations);
        var live = await _client.FindCharacteristicAsync(device, GattUuids.LiveHealthObservations);

        var notArmed = await Assert.ThrowsAsync<DBusErrorReplyException>(() => _client.WriteValueAsync(racp, [0x04, 0x01]));
        Assert.Equal("org.bluez.Error.Failed", notArmed.ErrorName);
        await _client.CallAsync(racp, BluezTestClient.Characteristic1, "StartNotify");
        await _client.CallAsync(records, BluezTestClient.Characteristic1, "StartNotify");
        await _client.CallAsync(live, BluezTestClient.Characteristic1, "StartNotify");

        var mark = _client.Mark();
        await _client.WriteValueAsync(racp, [0x04, 0x01]);
        Assert.Equal([0x05, 0x00, 0x02, 0x00], (await _client.WaitForAsync(s => s.IsValueChange(racp), mark)).Value);

        mark = _client.Mark();
        await _client.WriteValueAsync(racp, [0x01, 0x01]);
        Assert.Equal([0x06, 0x00, 0x01, 0x01], (await _client.WaitForAsync(s => s.IsValueChange(racp), mark)).Value);
        var assembled = Reassemble(_client.SignalsSince(mark).Where(s => s.IsValueChange(records)), stored: true);
        Assert.Equal(stored.Select(r => r.RecordNumber), assembled.Select(o => o.RecordNumber));
        Assert.Equal(stored.Select(r => r.Value("rate")), assembled.Select(o => o.Value.Value));
        Assert.All(assembled, o => Assert.Equal(GhsNomenclature.MdcRespRate, o.Type));

        mark = _client.Mark();
        await _client.WriteValueAsync(racp, [0x02, 0x01]);
        Assert.Equal([0x06, 0x00, 0x02, 0x01], (await _client.WaitForAsync(s => s.IsValueChange(racp), mark)).Value);
        mark = _client.Mark();
        await _client.WriteValueAsync(racp, [0x01, 0x01]);
        Assert.Equal([0x06, 0x00, 0x01, 0x06], (await _client.WaitForAsync(s => s.IsValueChange(racp), mark)).Value);

        // Live: the first connection's ATT MTU is 23, so a 26-byte record spans two notifications.
        mark = _client.Mark();
        var reading = await _simulator.TakeReadingAsync(Respiratory);
        Assert.Equal("indicated", reading.Delivered);
        var segments = await WaitForSegmentsAsync(live, mark);
        Assert.Equal(2, segments.Count);
        var observation = Assert.Single(Reassemble(segments, stored: false));
        Assert.Equal(reading.Value("rate"), observation.Value.Value);
        Assert.InRange(observation.Value.Value, 12m, 20m);
        Assert.True(observation.TimeStamp!.Value.IsUtc);
    }

    private async Task<string> PairConnectAndNotifyAsync(string device)
    {
        await RegisterAgentAsync(_client, 123456);
        await _client.DiscoverAsync(device);
        await _client.CallAsync(device, BluezTestClient.Device1, "Pair");
        if (!(await _client.GetPropertyAsync(device, BluezTestClient.Device1, "ServicesResolved")).GetBool())
        {
            await _client.WaitForAsync(s => s.IsPropertyChange(device, "ServicesResolved") && s.Properties["ServicesResolved"].GetBool());
        }
        var measurement = await _client.FindCharacteristicAsync(device, GattUuids.TemperatureMeasurement);
        await _client.CallAsync(measurement, BluezTestClient.Characteristic1, "StartNotify");
        return measurement;
    }

    private static async Task<TestAgent> RegisterAgentAsync(BluezTestClient client, uint passkey)
    {
        var agent = new TestAgent(AgentPath, passkey);
        client.Connection.AddMethodHandler(agent);
        await client.CallAsync("/org/bluez", "org.bluez.AgentManager1", "RegisterAgent", "os", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(AgentPath);
            w.WriteString("KeyboardDisplay");
        });
        await client.CallAsync("/org/bluez", "org.bluez.AgentManager1", "RequestDefaultAgent", "o", (ref MessageWriter w) => w.WriteObjectPath(AgentPath));
        return agent;
    }

    private async Task<IReadOnlyList<BleSimulatedReading>> WaitForReadingsAsync(Func<BleSimulatedReading, bool> match, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var readings = (await _simulator.GetReadingsAsync()).Where(match).ToList();
            if (readings.Count >= count || DateTime.UtcNow > deadline)
            {
                return readings;
            }
            await Task.Delay(50);
        }
    }

    private async Task<IReadOnlyList<BluezSignal>> WaitForSegmentsAsync(string characteristic, int mark)
    {
        await _client.WaitForAsync(s => s.IsValueChange(characteristic) && (s.Value[0] & GhsSegment.LastFlag) != 0, mark);
        return [.. _client.SignalsSince(mark).Where(s => s.IsValueChange(characteristic))];
    }

    private static List<GhsObservation> Reassemble(IEnumerable<BluezSignal> notifications, bool stored)
    {
        var assembler = new GhsSegmentAssembler();
        var result = new List<GhsObservation>();
        foreach (var notification in notifications)
        {
            var outcome = assembler.Feed(notification.Value, out var record, out var error);
            Assert.NotEqual(GhsFeedResult.Error, outcome);
            if (outcome == GhsFeedResult.Record)
            {
                Assert.True(GhsObservation.TryParse(record, stored, out var observation, out error), error.ToString());
                result.Add(observation);
            }
        }
        return result;
    }
}
