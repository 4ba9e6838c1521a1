using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Devices.Gatt;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Ingest.Ble.Session;
using Vitals.Gateway.Storage;

using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Ingest.Ble.Session;

/// <summary>
/// One device session against a scripted stack (<see cref="FakeBluetooth"/>) and the real pipeline, writer and SQLite
/// store: the ordering rules that keep stored readings from being lost or filed twice.
/// </summary>
public sealed class BleDeviceSessionTests : IAsyncLifetime
{
    private const string Address = "C0:FF:EE:00:00:01";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // 36.4 Cel at 2026-11-25 09:00:00 and 09:00:05 (device-local, UTC configured).
    private static readonly byte[] First = [0x02, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07, 11, 25, 9, 0, 0];
    private static readonly byte[] Second = [0x02, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07, 11, 25, 9, 0, 5];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "vg-ble-session-" + Guid.NewGuid().ToString("N")[..12]);
    private ServiceProvider _services = null!;
    private IngestWriter _writer = null!;
    private StoreSet _store = null!;
    private readonly FakeBluetooth _bluetooth = new();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(_directory, "gateway.db"),
            ["Ingest:TimeZone"] = "UTC",
            ["Ingest:Plausibility:MaxFutureSkew"] = "3650.00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddGatewayCore(configuration);
        services.AddSingleton<IngestPipeline>().AddSingleton<IOutboxSignal, DeliveryTrigger>().AddSingleton<GatewayMetrics>().AddSingleton<IngestWriter>();
        services.AddBleIngest(configuration);
        _services = services.BuildServiceProvider();
        _store = new StoreSet(_services);
        await _store.InitializeAsync(CancellationToken.None);
        await _store.Bindings.BindAsync(Address, null, PatientId.Parse("Patient/p1"), Some.BoundLongAgo, CancellationToken.None);
        _writer = _services.GetRequiredService<IngestWriter>();
        await _writer.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _writer.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Notifications_are_armed_before_connecting_so_readings_indicated_on_connect_are_kept()
    {
        var device = _bluetooth.Add(Address);
        var measurement = device.AddCharacteristic(GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement, GattCharacteristicProperties.Indicate);
        var sent = new List<bool>();
        device.OnConnected = () =>
        {
            sent.Add(measurement.Send(First));
            sent.Add(measurement.Send(Second));
        };

        await using var session = Start();

        await Eventually.TrueAsync(async () => (await ReadingsAsync()) == 2, Patience, "two readings stored", Poll);
        Assert.Equal([true, true], sent);
        var log = _bluetooth.LogSnapshot();
        Assert.True(log.IndexOf("arm 2a1c") < log.IndexOf("connect"), string.Join(", ", log));
    }

    [Fact]
    public async Task A_stored_reading_indicated_again_after_a_reconnect_is_recognised_as_a_duplicate()
    {
        var device = _bluetooth.Add(Address);
        var measurement = device.AddCharacteristic(GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement, GattCharacteristicProperties.Indicate);
        device.OnConnected = () => measurement.Send(First);
        var metrics = _services.GetRequiredService<GatewayMetrics>();

        await using var session = Start();
        await Eventually.TrueAsync(async () => (await ReadingsAsync()) == 1, Patience, "one reading stored", Poll);
        device.DropLink();
        await Eventually.TrueAsync(() => metrics.Snapshot()["duplicates"] == 1, Patience, "the resent reading counted as a duplicate", Poll);

        Assert.Equal(1, await ReadingsAsync());
        Assert.True(((FakeGattServer)device.Gatt).Connects >= 2);
    }

    [Fact]
    public async Task GHS_stored_records_are_deleted_on_the_device_only_after_all_of_them_are_committed()
    {
        var device = _bluetooth.Add(Address);
        var stored = device.AddCharacteristic(GattUuids.GenericHealthSensorService, GattUuids.StoredHealthObservations, GattCharacteristicProperties.Indicate);
        var racp = device.AddCharacteristic(GattUuids.GenericHealthSensorService, GattUuids.RecordAccessControlPoint, GattCharacteristicProperties.Write | GattCharacteristicProperties.Indicate);
        var readingsWhenDeleted = -1L;
        racp.OnWrite = request =>
        {
            if (request.SequenceEqual(new byte[] { 0x01, 0x01 }))
            {
                // Record 1 in one notification, record 2 split over two segments.
                var one = Record(1, 15);
                var two = Record(2, 16);
                Assert.True(stored.Send([0x03, .. one]));
                Assert.True(stored.Send([(byte)(0x01 | 1 << 2), .. two[..10]]));
                Assert.True(stored.Send([(byte)(0x02 | 2 << 2), .. two[10..]]));
                racp.Send([0x06, 0x00, 0x01, 0x01]);
            }
            else if (request.SequenceEqual(new byte[] { 0x02, 0x01 }))
            {
                readingsWhenDeleted = ReadingsAsync().GetAwaiter().GetResult();
                racp.Send([0x06, 0x00, 0x02, 0x01]);
            }
        };

        await using var session = Start();

        await Eventually.TrueAsync(() => _bluetooth.LogSnapshot().Contains("write 2a52 0201"), Patience, "RACP delete written", Poll);
        Assert.Equal(2, readingsWhenDeleted);
        var log = _bluetooth.LogSnapshot();
        Assert.True(log.IndexOf("write 2a52 0101") < log.IndexOf("write 2a52 0201"));
        Assert.Single(log, l => l == "write 2a52 0201");
    }

    [Fact]
    public async Task When_the_device_does_not_report_success_nothing_is_deleted()
    {
        var device = _bluetooth.Add(Address);
        device.AddCharacteristic(GattUuids.GenericHealthSensorService, GattUuids.StoredHealthObservations, GattCharacteristicProperties.Indicate);
        var racp = device.AddCharacteristic(GattUuids.GenericHealthSensorService, GattUuids.RecordAccessControlPoint, GattCharacteristicProperties.Write | GattCharacteristicProperties.Indicate);
        var answered = new TaskCompletionSource();
        racp.OnWrite = request =>
        {
            racp.Send([0x06, 0x00, request[0], 0x08]); // procedure not completed
            answered.TrySetResult();
        };

        await using var session = Start();
        await answered.Task.WaitAsync(Patience);
        await Eventually.TrueAsync(() => _services.GetRequiredService<BleDeviceRegistry>().Get(Address)?.Connected == true, Patience, "the device connected", Poll);

        Assert.DoesNotContain("write 2a52 0201", _bluetooth.LogSnapshot());
    }

    [Fact]
    public async Task A_broken_GHS_segment_stream_is_kept_as_rejected_naming_the_characteristic_and_byte()
    {
        var device = _bluetooth.Add(Address);
        var live = device.AddCharacteristic(GattUuids.GenericHealthSensorService, GattUuids.LiveHealthObservations, GattCharacteristicProperties.Notify);
        device.OnConnected = () => live.Send([(byte)(0x02 | 5 << 2), 0x01, 0x02]); // a last segment with no first

        await using var session = Start();

        await Eventually.TrueAsync(async () => (await _store.Rejected.ListRejectedAsync(10, CancellationToken.None)).Count == 1, Patience, "one rejected message", Poll);
        var rejected = (await _store.Rejected.ListRejectedAsync(10, CancellationToken.None)).Single();
        Assert.Equal($"ble {Address} 0x2B8B", rejected.Origin);
        Assert.StartsWith("0x2B8B byte 0", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_local_times_are_corrected_by_the_clock_offset_read_from_Current_Time()
    {
        var device = _bluetooth.Add(Address);
        var measurement = device.AddCharacteristic(GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement, GattCharacteristicProperties.Indicate);
        var currentTime = device.AddCharacteristic(GattUuids.CurrentTimeService, GattUuids.CurrentTime, GattCharacteristicProperties.Read);
        var now = DateTimeOffset.UtcNow;
        currentTime.Value = DeviceClock.Format(now.AddMinutes(7), TimeZoneInfo.Utc);
        var deviceLocal = now.AddMinutes(7).UtcDateTime;
        byte[] value = [0x02, 0x6C, 0x01, 0x00, 0xFF, (byte)deviceLocal.Year, (byte)(deviceLocal.Year >> 8), (byte)deviceLocal.Month, (byte)deviceLocal.Day, (byte)deviceLocal.Hour, (byte)deviceLocal.Minute, (byte)deviceLocal.Second];
        device.OnConnected = () => measurement.Send(value);

        await using var session = Start();

        await Eventually.TrueAsync(async () => (await ReadingsAsync()) == 1, Patience, "one reading stored", Poll);
        var reading = (await _store.Quarantine.ListQuarantineAsync(null, 10, CancellationToken.None)).Count == 0
            ? await OnlyReadingAsync()
            : throw new Xunit.Sdk.XunitException("the device is bound: nothing should be quarantined");
        Assert.InRange((reading.EffectiveTime - now).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(3));
        Assert.InRange(_services.GetRequiredService<BleDeviceRegistry>().Get(Address)!.ClockOffset!.Value.TotalMinutes, 6.9, 7.1);
    }

    [Fact]
    public async Task A_temperature_without_its_own_type_takes_the_site_of_the_thermometers_Temperature_Type()
    {
        var device = _bluetooth.Add(Address);
        var measurement = device.AddCharacteristic(GattUuids.HealthThermometerService, GattUuids.TemperatureMeasurement, GattCharacteristicProperties.Indicate);
        var type = device.AddCharacteristic(GattUuids.HealthThermometerService, GattUuids.TemperatureType, GattCharacteristicProperties.Read);
        type.Value = [6]; // mouth (0x2A1D)
        // First carries no type field (flags b2 clear); a value that names its own type keeps it.
        byte[] withOwnType = [0x06, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07, 11, 25, 9, 0, 9, 1];
        device.OnConnected = () =>
        {
            measurement.Send(First);
            measurement.Send(withOwnType);
        };

        await using var session = Start();

        await Eventually.TrueAsync(async () => (await ReadingsAsync()) == 2, Patience, "two readings stored", Poll);
        var due = await _store.Outbox.GetDueAsync(DateTimeOffset.UtcNow.AddYears(1), 10, new HashSet<long>(), headsOnly: false, CancellationToken.None);
        Assert.Equal(new[] { "axillary", "oral" }, due.Select(e => e.Reading.Site ?? "(none)").Order(StringComparer.Ordinal));
    }

    private BleDeviceSession Start()
    {
        var context = new BleSessionContext(
            new BleOptions { ReconnectBaseDelay = TimeSpan.FromMilliseconds(10), ReconnectMaxDelay = TimeSpan.FromMilliseconds(50), StoredRecordsTimeout = Patience },
            _services.GetRequiredService<IngestPipeline>(),
            _services.GetRequiredService<IPendingPairings>(),
            _services.GetRequiredService<BleDeviceRegistry>(),
            _services.GetRequiredService<BleMetrics>(),
            TimeZoneInfo.Utc,
            TimeProvider.System,
            NullLogger.Instance);
        var session = new BleDeviceSession(Address, _bluetooth, context);
        session.Start();
        return session;
    }

    private async Task<long> ReadingsAsync() =>
        (await _store.Bindings.ListDevicesAsync(null, CancellationToken.None)).SingleOrDefault(d => d.DeviceId == Address)?.Readings ?? 0;

    private async Task<Vitals.Devices.Reading> OnlyReadingAsync()
    {
        var due = await _store.Outbox.GetDueAsync(DateTimeOffset.UtcNow.AddYears(1), 10, new HashSet<long>(), headsOnly: false, CancellationToken.None);
        return Assert.Single(due).Reading;
    }

    /// <summary>A GHS stored record: record number, then a simple numeric respiratory rate (class, length, flags, type, unit, FLOAT).</summary>
    private static byte[] Record(uint number, int rate)
    {
        var body = new List<byte> { 0x01 };
        var length = (ushort)(1 + 2 + 2 + 4 + 4 + 4);
        body.AddRange(BitConverter.GetBytes(length));
        body.AddRange(BitConverter.GetBytes((ushort)0x0001)); // type present, no time stamp
        body.AddRange(BitConverter.GetBytes(151562u));         // MDC_RESP_RATE
        body.AddRange(BitConverter.GetBytes(264928u));         // MDC_DIM_RESP_PER_MIN
        body.AddRange(BitConverter.GetBytes((uint)rate));      // FLOAT, exponent 0
        return [.. BitConverter.GetBytes(number), .. body];
    }

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
}
