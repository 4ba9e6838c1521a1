using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vitals.Devices;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Ingest.Mqtt;

/// <summary>A payload's <c>device</c> object becomes the publisher's device record before its reading is queued.</summary>
public sealed class DeviceObjectIngestTests
{
    private readonly RecordingDeviceInformation _store = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly IngestPipeline _pipeline;

    public DeviceObjectIngestTests()
    {
        var ingest = Options.Create(new IngestOptions { TimeZone = "UTC" });
        _pipeline = new IngestPipeline(new MessageDecoder(ingest), ingest, _store, _clock);
    }

    [Fact]
    public async Task The_device_object_is_stored_once_while_it_stays_the_same_and_again_when_it_changes()
    {
        await QueueAsync("""{"value": 72.5, "unit": "kg", "device": {"maker": "Acme", "model": "WS-2", "firmware": "1.0"}}""");
        await QueueAsync("""{"value": 72.6, "unit": "kg", "device": {"maker": "Acme", "model": "WS-2", "firmware": "1.0"}}""");
        await QueueAsync("""{"value": 72.7, "unit": "kg", "device": {"firmware": "1.1"}}""");
        await QueueAsync("""{"value": 72.8, "unit": "kg"}""");

        Assert.Collection(_store.Saved,
            s => Assert.Equal(("scale-1", new DeviceInformation { Manufacturer = "Acme", Model = "WS-2", Firmware = "1.0" }), s),
            s => Assert.Equal(("scale-1", new DeviceInformation { Firmware = "1.1" }), s));
    }

    [Fact]
    public async Task A_message_rejected_for_its_device_object_stores_nothing()
    {
        await QueueAsync("""{"value": 72.5, "unit": "kg", "device": {"model": ["WS-2"]}}""");

        Assert.Empty(_store.Saved);
    }

    private async Task QueueAsync(string json) =>
        _ = await _pipeline.QueueAsync(Some.MqttMessage("vitals/scale-1/body-weight", Encoding.UTF8.GetBytes(json), _clock.GetUtcNow()), CancellationToken.None);

    private sealed class RecordingDeviceInformation : IDeviceInformation
    {
        public List<(string, DeviceInformation)> Saved { get; } = [];

        public Task SaveAsync(string deviceId, DeviceInformation information, DateTimeOffset at, CancellationToken ct)
        {
            Saved.Add((deviceId, information));
            return Task.CompletedTask;
        }

        public Task<DeviceRecord?> GetAsync(string deviceId, CancellationToken ct) => Task.FromResult<DeviceRecord?>(null);

        public Task<IReadOnlyList<DeviceRecord>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<DeviceRecord>>([]);
    }
}
