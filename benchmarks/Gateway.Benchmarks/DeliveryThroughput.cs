using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Observations/s into the sandbox EHR per Ehr:Profile, in the same run: for each profile the EHR is reset, a fresh
/// store gets N thermometer readings (one Observation each) of D bound devices in its outbox, and the real delivery
/// loop and sender drain it; the clock runs from start to an empty outbox. Prints one JSON line per profile and the
/// ratio fhir-transaction / single-post (issue 4: at least 5).
///   delivery-throughput --ehr http://127.0.0.1:8103/fhir/R4 [--count 2000] [--devices 100] [--batch 50] [--concurrency 4]
///                       [--profiles single-post,fhir-transaction,fhir-conditional]
/// </summary>
internal static class DeliveryThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var ehr = Arg("--ehr") ?? throw new ArgumentException("--ehr <FHIR base of the sandbox EHR> is required");
        var count = Int("--count", 2000);
        var devices = Int("--devices", 100);
        var batch = Int("--batch", 50);
        var concurrency = Int("--concurrency", 4);
        var profiles = (Arg("--profiles") ?? "single-post,fhir-transaction").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => EhrProfileConverter.TryParse(p, out var profile) ? profile : throw new ArgumentException($"unknown profile {p}"))
            .ToList();

        var rates = new Dictionary<EhrProfile, double>();
        foreach (var profile in profiles)
        {
            var (observations, seconds, inEhr, _) = await RunProfileAsync(ehr, profile, count, devices, batch, concurrency);
            rates[profile] = observations / seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"profile\": \"{EhrProfileConverter.ToName(profile)}\", \"readings\": {count}, \"devices\": {devices}, \"batch\": {batch}, \"concurrency\": {concurrency}, \"observations\": {observations}, \"in_ehr\": {inEhr}, \"seconds\": {seconds:F2}, \"observations_per_s\": {observations / seconds:F1}}}"));
        }
        if (rates.TryGetValue(EhrProfile.FhirTransaction, out var tx) && rates.TryGetValue(EhrProfile.SinglePost, out var single))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"transaction_over_single_post\": {tx / single:F2}}}"));
        return 0;
    }

    /// <summary>
    /// One profile's run; <paramref name="via"/> (a proxy's base in front of the EHR) is where the gateway sends, the
    /// reset and the count go to <paramref name="ehr"/> itself. Batch is the Bundle size flow control ended at and the smallest it went to.
    /// </summary>
    internal static async Task<(int Observations, double Seconds, int InEhr, (int Final, int Smallest) Batch)> RunProfileAsync(
        string ehr, EhrProfile profile, int count, int deviceCount, int batch, int concurrency, string? via = null,
        Action<EhrOptions>? configure = null)
    {
        var root = ehr.TrimEnd('/');
        var admin = root[..root.LastIndexOf("/fhir/", StringComparison.Ordinal)];
        using var client = new HttpClient();
        (await client.PostAsync(admin + "/$admin/reset", null)).EnsureSuccessStatusCode();

        var folder = Path.Combine(Path.GetTempPath(), "vg-throughput-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var store = await BenchStore.OpenAsync(Path.Combine(folder, "gateway.db"));
            var start = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.FromHours(1));
            for (var d = 0; d < deviceCount; d++)
                await store.Bindings.BindAsync($"bench-thermo-{d}", null, PatientId.Parse($"Patient/bench-{d}"), start, default);
            var records = new List<IngestRecord>(count);
            for (var i = 0; i < count; i++)
            {
                var at = start.AddSeconds(i);
                var celsius = 36.0m + (i % 30) / 10m;
                var reading = new Reading
                {
                    DeviceId = $"bench-thermo-{i % deviceCount}",
                    Kind = VitalKind.BodyTemperature,
                    EffectiveTime = at,
                    TimeQuality = TimeQuality.DeviceWithOffset,
                    DeviceTime = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                    MeasurementId = i.ToString(CultureInfo.InvariantCulture),
                    Value = new Quantity(celsius, Ucum.Celsius),
                };
                var payload = Encoding.UTF8.GetBytes($$"""{"value": {{celsius.ToString(CultureInfo.InvariantCulture)}}, "unit": "Cel", "time": "{{reading.DeviceTime}}", "id": "{{i}}"}""");
                records.Add(new IngestRecord.Accepted($"mqtt vitals/{reading.DeviceId}/body-temperature from client bench", at, payload, reading));
            }
            foreach (var chunk in records.Chunk(500))
                await store.Ingest.CommitAsync(chunk, default);

            var ehrOptions = new EhrOptions
            {
                BaseUrl = via ?? ehr,
                MaxConcurrency = concurrency,
                MaxConnectionsPerServer = concurrency,
                Profile = profile,
                Batch = new EhrBatchOptions { MaxSize = batch, Linger = TimeSpan.FromMilliseconds(50) },
            };
            configure?.Invoke(ehrOptions);
            var options = Options.Create(ehrOptions);
            using var http = new EhrHttpClient(options, new StaticEhrAuthenticator(options.Value.Auth), TimeProvider.System, NullLogger.Instance);
            IEhrSender sender = profile switch
            {
                EhrProfile.SinglePost => new SinglePostSender(http, store.Get<IDeliveryLedger>(), options, TimeProvider.System, NullLogger<SinglePostSender>.Instance),
                EhrProfile.FhirConditional => new ConditionalCreateSender(http, NullLogger<ConditionalCreateSender>.Instance),
                _ => new TransactionSender(http, options, NullLogger<TransactionSender>.Instance),
            };
            var service = new DeliveryService(store.Get<IOutbox>(), new ReadingMapper(Options.Create(new FhirOptions())), sender,
                new RetryPolicy(options.Value.Retry, Random.Shared.NextDouble), new DeliveryTrigger(), new GatewayMetrics(),
                TimeProvider.System, options, NullLogger<DeliveryService>.Instance,
                new PreSendValidation(new ObservationValidator(TimeProvider.System, NullLogger<ObservationValidator>.Instance),
                    Options.Create(new PreSendValidationOptions()), store.Get<IOutbox>(), new GatewayMetrics(), TimeProvider.System,
                    NullLogger<PreSendValidation>.Instance),
                new EhrCompatibility(options.Value.Compatibility));

            var clock = Stopwatch.StartNew();
            await service.StartAsync(default);
            OutboxStatus status;
            while ((status = await store.Status.GetOutboxStatusAsync(default)).Pending > 0)
                await Task.Delay(10);
            var seconds = clock.Elapsed.TotalSeconds;
            var finalBatch = (service.Flow.BatchSize, service.Flow.SmallestBatchSize);
            await service.StopAsync(default);
            if (status.DeadLetters > 0)
                throw new InvalidOperationException($"{status.DeadLetters} readings were refused by the EHR");

            using var counted = JsonDocument.Parse(await client.GetStringAsync(root + "/Observation?_summary=count"));
            return ((int)status.Delivered, seconds, counted.RootElement.GetProperty("total").GetInt32(), finalBatch);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
