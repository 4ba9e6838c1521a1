using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Vitals.Gateway.Benchmarks;

/// <summary>
/// Receipt -> EHR 2xx for every delivered reading in a gateway store: the gateway stamps received_at when the publish
/// arrives and delivered_at after the EHR's 2xx, both from its own clock. Prints count and percentiles as JSON.
/// </summary>
internal static class DeliveryLatency
{
    public static int Run(string[] args)
    {
        var path = args.Length > 1 && args[0] == "--store" ? args[1] : "data/gateway.db";
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT received_at, delivered_at FROM readings WHERE state = 'delivered'";
        var latencies = new List<double>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                latencies.Add((Parse(reader.GetString(1)) - Parse(reader.GetString(0))).TotalMilliseconds);
        latencies.Sort();
        double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"delivered\": {latencies.Count}, \"p50_ms\": {P(0.50):F1}, \"p95_ms\": {P(0.95):F1}, \"p99_ms\": {P(0.99):F1}, \"max_ms\": {(latencies.Count == 0 ? double.NaN : latencies[^1]):F1}}}"));
        return latencies.Count == 0 ? 1 : 0;
    }

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
