using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// One log-safe line from a server's OperationOutcome: per issue its severity, code, coded details and
/// expression (or location). Free text (diagnostics, details.text) is left out on purpose: servers echo the offending
/// values and references there, i.e. patient identifiers and measurements, and the line is logged. The full
/// OperationOutcome stays in the dead letter's Response.
/// </summary>
public static class OperationOutcomeSummary
{
    private const int MaxIssues = 5;
    private const int MaxPartLength = 160;

    // Recoverable: a server's outcome with an unknown element must still be summarised, not thrown away.
    private static JsonSerializerOptions CreateOptions() =>
        new JsonSerializerOptions().ForFhir().UsingMode(DeserializationMode.Recoverable);

    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>The summary, or null when the body is not an OperationOutcome with issues.</summary>
    public static string? TrySummarise(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return null;
        OperationOutcome? outcome;
        try
        {
            outcome = JsonSerializer.Deserialize<Resource>(body, Options) as OperationOutcome;
        }
        catch (Exception ex) when (ex is JsonException or DeserializationFailedException or FormatException or NotSupportedException)
        {
            return null;
        }
        if (outcome is null || outcome.Issue.Count == 0)
            return null;

        var sb = new StringBuilder();
        foreach (var issue in outcome.Issue.Take(MaxIssues))
        {
            if (sb.Length > 0)
                sb.Append("; ");
            sb.Append(issue.Severity?.GetLiteral() ?? "?").Append(' ').Append(issue.Code?.GetLiteral() ?? "?");
            var detailCode = issue.Details?.Coding.FirstOrDefault(c => !string.IsNullOrEmpty(c.Code))?.Code;
            if (detailCode is not null)
                sb.Append(" (").Append(Clean(detailCode)).Append(')');
            var where = issue.Expression.FirstOrDefault(e => !string.IsNullOrEmpty(e))
                ?? issue.Location.FirstOrDefault(e => !string.IsNullOrEmpty(e));
            if (where is not null)
                sb.Append(" at ").Append(Clean(where));
        }
        if (outcome.Issue.Count > MaxIssues)
            sb.Append("; and ").Append(outcome.Issue.Count - MaxIssues).Append(" more");
        return sb.ToString();
    }

    // Keeps the summary on one line and bounded, whatever the server sent.
    private static string Clean(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxPartLength));
        foreach (var c in text)
        {
            if (sb.Length == MaxPartLength)
            {
                sb.Append('…');
                break;
            }
            sb.Append(char.IsControl(c) ? ' ' : c);
        }
        return sb.ToString();
    }
}
