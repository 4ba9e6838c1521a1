using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.DBus.Protocol;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Ble.Session;
using Vitals.Gateway.Ingest.Ble.BlueZ;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests.Ingest.Ble.BlueZ;

/// <summary>
/// The BlueZ client against the BLE simulator serving org.bluez on a private dbus-daemon (simulators/BleSimulator/README.md): the
/// D-Bus side is BlueZ 5.66's API, so these are the calls the gateway makes to a real bluetoothd.
/// </summary>
[Collection(BlueZCollection.Name)]
public sealed class BlueZBluetoothTests
{
    private const string Thermometer = "C0:FF:EE:00:00:01";
    private const string Cuff = "C0:FF:EE:00:00:02";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Discovers_the_health_devices_connects_and_receives_an_indication_byte_for_byte()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Thermometer);

        Assert.Equal("Vitals Thermometer", device.Name);
        await device.Gatt.ConnectAsync(Timeout());
        Assert.True(device.Gatt.IsConnected);
        var measurement = await CharacteristicAsync(device, GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement);
        Assert.True(measurement.Properties.HasFlag(GattCharacteristicProperties.Indicate));
        var values = Listen(measurement);
        await measurement.StartNotificationsAsync(Timeout());
        await measurement.StartNotificationsAsync(Timeout()); // idempotent

        var reading = await rig.Simulator.TakeReadingAsync(Thermometer);

        var value = await values.ReadAsync(Timeout());
        Assert.Equal(reading.Bytes, value.Value);
        Assert.InRange(value.ReceivedAt, DateTimeOffset.UtcNow - Patience, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Reads_and_writes_Current_Time()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Cuff);
        await device.Gatt.ConnectAsync(Timeout());
        var currentTime = await CharacteristicAsync(device, GattUuids.CurrentTimeService, GattUuids.CurrentTime);

        Assert.True(DeviceClock.TryMeasureOffset(await currentTime.ReadValueAsync(Timeout()), DateTimeOffset.UtcNow, TimeZoneInfo.Utc, out var before, out _));
        Assert.InRange(before.TotalMinutes, -61, -59); // the contract's cuff starts one hour slow

        await currentTime.WriteValueWithResponseAsync(DeviceClock.Format(DateTimeOffset.UtcNow, TimeZoneInfo.Utc), Timeout());

        Assert.True(DeviceClock.TryMeasureOffset(await currentTime.ReadValueAsync(Timeout()), DateTimeOffset.UtcNow, TimeZoneInfo.Utc, out var after, out _));
        Assert.InRange(after.TotalSeconds, -2, 2);
    }

    [Fact]
    public async Task Pairs_through_the_agent_with_the_right_passkey_and_fails_with_a_wrong_one()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Thermometer);

        var wrong = await Assert.ThrowsAsync<BluetoothPairingException>(() => device.PairAsync(_ => Task.FromResult<uint?>(654321), Timeout()));
        Assert.Equal(BluetoothPairingError.WrongPasskey, wrong.Error);
        Assert.Equal("org.bluez.Error.AuthenticationFailed", Assert.IsType<DBusErrorReplyException>(wrong.InnerException).ErrorName);
        Assert.False(device.IsPaired);

        var none = await Assert.ThrowsAsync<BluetoothPairingException>(() => device.PairAsync(null, Timeout()));
        Assert.StartsWith("org.bluez.Error.Authentication", Assert.IsType<DBusErrorReplyException>(none.InnerException).ErrorName, StringComparison.Ordinal);

        await device.PairAsync(_ => Task.FromResult<uint?>(123456), Timeout());
        await Eventually(() => device.IsPaired);
        await device.PairAsync(_ => throw new InvalidOperationException("not asked again"), Timeout()); // already paired
    }

    [Fact]
    public async Task Notifications_armed_while_a_bonded_device_is_away_receive_its_stored_readings_on_reconnect()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Thermometer);
        await device.PairAsync(_ => Task.FromResult<uint?>(123456), Timeout());
        await device.Gatt.ConnectAsync(Timeout());
        var measurement = await CharacteristicAsync(device, GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement);
        var values = Listen(measurement);
        await measurement.StartNotificationsAsync(Timeout());

        var stored = await rig.Simulator.StoreAsync(Thermometer, 3); // the link drops, three readings are stored
        await Eventually(() => !device.Gatt.IsConnected);
        // Still exported (bonded: BlueZ keeps the attribute cache) and still armed for this connection.
        await measurement.StartNotificationsAsync(Timeout());
        await device.Gatt.ConnectAsync(Timeout());

        foreach (var reading in stored)
        {
            Assert.Equal(reading.Bytes, (await values.ReadAsync(Timeout())).Value);
        }
    }

    [Fact]
    public async Task A_bluetoothd_restart_is_followed_by_a_resync_powered_adapter_and_working_notifications()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Thermometer);
        await device.Gatt.ConnectAsync(Timeout());
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Bluetooth.StackRestarted += (_, _) => restarted.TrySetResult();
        device.GattServerDisconnected += (_, _) => lost.TrySetResult();

        await rig.Simulator.RestartBluetoothdAsync();

        await lost.Task.WaitAsync(Patience);
        await restarted.Task.WaitAsync(Patience);
        Assert.True(await rig.Bluetooth.GetAvailabilityAsync(Timeout()));
        var again = await rig.DeviceAsync(Thermometer);
        await again.Gatt.ConnectAsync(Timeout());
        var measurement = await CharacteristicAsync(again, GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement);
        var values = Listen(measurement);
        await measurement.StartNotificationsAsync(Timeout());
        var reading = await rig.Simulator.TakeReadingAsync(Thermometer);
        Assert.Equal(reading.Bytes, (await values.ReadAsync(Timeout())).Value);
    }

    [Fact]
    public async Task A_connect_to_a_device_out_of_range_fails_and_leaves_nothing_pending()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Cuff);
        await rig.Simulator.DisconnectAsync(Cuff, TimeSpan.FromSeconds(30));

        var e = await Assert.ThrowsAsync<DBusErrorReplyException>(() => device.Gatt.ConnectAsync(Timeout()));

        Assert.Equal("org.bluez.Error.Failed", e.ErrorName);
        Assert.False(device.Gatt.IsConnected);
    }

    [Fact]
    public async Task Lists_discovered_health_devices_with_their_advertised_services_and_signal_strength()
    {
        await using var rig = await Rig.StartAsync();
        await rig.DeviceAsync(Cuff);
        var nearby = new NearbyDevices();
        nearby.Attach(rig.Bluetooth);

        var cuff = Assert.Single(nearby.Snapshot(), d => d.Address == Cuff);
        Assert.Equal([GattUuids.BloodPressureService], cuff.HealthServices.Select(u => u.ShortId!.Value));
        Assert.InRange(cuff.Rssi!.Value, (short)-100, (short)-20);
        Assert.False(string.IsNullOrEmpty(cuff.Name));
        Assert.Contains(rig.Bluetooth.GetDevices(), d => d.Id == Cuff && d.Uuids.Contains(GattUuids.BloodPressureService));
        nearby.Detach(rig.Bluetooth);
        Assert.Empty(nearby.Snapshot());
    }

    [Fact]
    public async Task A_device_no_longer_heard_leaves_the_nearby_list_when_the_stack_forgets_it_and_returns_when_heard_again()
    {
        // BlueZ drops a device it has not heard for TemporaryTimeout (30 s by default; 1 s here) unless bonded or connected.
        await using var rig = await Rig.StartAsync(["--temporary-timeout", "1"]);
        await rig.DeviceAsync(Cuff);
        await rig.DeviceAsync(Thermometer);
        var nearby = new NearbyDevices();
        nearby.Attach(rig.Bluetooth);
        var removed = new List<string>();
        rig.Bluetooth.DeviceRemoved += (_, d) => { lock (removed) removed.Add(d.Id); };
        Assert.Contains(nearby.Snapshot(), d => d.Address == Cuff);

        await rig.Simulator.DisconnectAsync(Cuff, TimeSpan.FromSeconds(4));

        await Eventually(() => nearby.Snapshot().All(d => d.Address != Cuff));
        lock (removed) Assert.Equal([Cuff], removed);
        Assert.Null(rig.Bluetooth.GetDevice(Cuff));
        // The thermometer, still advertising, stays; the cuff comes back when it is in range again.
        Assert.Contains(nearby.Snapshot(), d => d.Address == Thermometer);
        await Eventually(() => nearby.Snapshot().Any(d => d.Address == Cuff));
        nearby.Detach(rig.Bluetooth);
    }

    [Fact]
    public async Task An_attended_pairing_asks_for_the_passkey_allows_retries_and_forgets_the_device_after_three_wrong_ones()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Cuff);
        var pairing = rig.AttendedPairing();

        Assert.Equal(AttendedPairingOutcome.PasskeyNeeded, (await pairing.PairAsync(Cuff, null, Timeout())).Outcome);
        Assert.Equal(new AttendedPairingResult(AttendedPairingOutcome.WrongPasskey, 2), await pairing.PairAsync(Cuff, 111111, Timeout()));
        Assert.Equal(new AttendedPairingResult(AttendedPairingOutcome.WrongPasskey, 1), await pairing.PairAsync(Cuff, 222222, Timeout()));
        Assert.False(device.IsPaired);
        Assert.Equal(AttendedPairingOutcome.BondRemoved, (await pairing.PairAsync(Cuff, 333333, Timeout())).Outcome);
        // Adapter1.RemoveDevice: the object went (discovery may export a new one for the same device at once).
        await Eventually(() => !ReferenceEquals(rig.Bluetooth.GetDevice(Cuff), device));

        var again = await rig.DeviceAsync(Cuff);
        Assert.Equal(AttendedPairingOutcome.PasskeyNeeded, (await pairing.PairAsync(Cuff, null, Timeout())).Outcome);
        Assert.Equal(new AttendedPairingResult(AttendedPairingOutcome.Paired, 3), await pairing.PairAsync(Cuff, 123456, Timeout()));
        await Eventually(() => again.IsPaired);
    }

    [Fact]
    public async Task An_attended_pairing_of_a_device_that_goes_out_of_range_says_unreachable_and_pairs_nothing()
    {
        await using var rig = await Rig.StartAsync();
        var device = await rig.DeviceAsync(Thermometer);
        var pairing = rig.AttendedPairing();

        Assert.Equal(AttendedPairingOutcome.PasskeyNeeded, (await pairing.PairAsync(Thermometer, null, Timeout())).Outcome);
        await rig.Simulator.DisconnectAsync(Thermometer, TimeSpan.FromSeconds(30));
        Assert.Equal(AttendedPairingOutcome.Unreachable, (await pairing.PairAsync(Thermometer, 123456, Timeout())).Outcome);
        Assert.False(device.IsPaired);
        Assert.Equal(AttendedPairingOutcome.Unreachable, (await pairing.PairAsync(Thermometer, 123456, Timeout())).Outcome);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;

    private static async Task<GattCharacteristic> CharacteristicAsync(BluetoothDevice device, ushort service, ushort characteristic)
    {
        var s = await device.Gatt.GetPrimaryServiceAsync(service, Timeout()) ?? throw new Xunit.Sdk.XunitException($"service {service:X4} missing");
        return await s.GetCharacteristicAsync(characteristic, Timeout()) ?? throw new Xunit.Sdk.XunitException($"characteristic {characteristic:X4} missing");
    }

    private static ChannelReader<GattValueChangedEventArgs> Listen(GattCharacteristic characteristic)
    {
        var channel = Channel.CreateUnbounded<GattValueChangedEventArgs>();
        characteristic.CharacteristicValueChanged += (_, e) => channel.Writer.TryWrite(e);
        return channel.Reader;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met within " + Patience);
            await Task.Delay(50);
        }
    }

    private sealed class Rig : IAsyncDisposable
    {
        private Rig(DBusDaemon bus, BleSimulatorProcess simulator, BlueZBluetooth bluetooth)
        {
            Bus = bus;
            Simulator = simulator;
            Bluetooth = bluetooth;
        }

        public DBusDaemon Bus { get; }

        public BleSimulatorProcess Simulator { get; }

        public BlueZBluetooth Bluetooth { get; }

        public static async Task<Rig> StartAsync(IEnumerable<string>? simulatorArgs = null)
        {
            var bus = await DBusDaemon.StartAsync();
            var simulator = await BleSimulatorProcess.StartAsync(bus.Address, simulatorArgs);
            var bluetooth = await BlueZBluetooth.ConnectAsync(bus.Address, "hci0", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeProvider.System, NullLogger.Instance, Timeout());
            await bluetooth.StartDiscoveryAsync(HealthGatt.Services, Timeout());
            return new Rig(bus, simulator, bluetooth);
        }

        public AttendedPairing AttendedPairing()
        {
            var nearby = new NearbyDevices();
            nearby.Attach(Bluetooth);
            return new AttendedPairing(nearby, Microsoft.Extensions.Options.Options.Create(new BleOptions { ConnectTimeout = TimeSpan.FromSeconds(15) }),
                TimeProvider.System, NullLogger<AttendedPairing>.Instance);
        }

        public async Task<BluetoothDevice> DeviceAsync(string address)
        {
            BluetoothDevice? device = null;
            await Eventually(() => (device = Bluetooth.GetDevice(address)) is not null);
            return device!;
        }

        public async ValueTask DisposeAsync()
        {
            await Bluetooth.DisposeAsync();
            await Simulator.DisposeAsync();
            await Bus.DisposeAsync();
        }
    }
}
