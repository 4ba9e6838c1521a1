using System.Text.Json;

namespace Vitals.Gateway.Tests.EndToEnd;

/// <summary>
/// The outcome of one chaos run, counted by Observation identifier. Written as JSON to the file named by
/// <c>CHAOS_REPORT</c> (scripts/chaos.sh collects them) before the test asserts, so a failing run is reported too.
/// </summary>
internal sealed record ChaosReport(
    int Seed,
    int Readings,
    long Acked,
    long Stored,
    int ExpectedObservations,
    int DeliveredOnce,
    int Duplicates,
    int Missing,
    int Unexpected,
    int DeadLetters,
    int ExpectedDeadLetters,
    int WrongDeadLetters,
    double KillAtSeconds,
    long StoredAtKill,
    double OutageAtSeconds,
    double DurationSeconds,
    string Switches = "")
{
    public const string ReportVariable = "CHAOS_REPORT";

    public bool Passed =>
        Acked == Readings && Stored == Readings && DeliveredOnce == ExpectedObservations && Duplicates == 0 && Missing == 0
        && Unexpected == 0 && DeadLetters == ExpectedDeadLetters && WrongDeadLetters == 0;

    public void WriteIfRequested()
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path)
            File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }) + "\n");
    }
}
