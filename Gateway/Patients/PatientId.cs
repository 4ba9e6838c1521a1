using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Vitals.Gateway.Patients;

/// <summary>
/// The patient a device is bound to: either a literal reference (<c>Patient/123</c>) or a business identifier
/// (<c>system|value</c>), as typed in <c>devices bind --patient</c>.
/// </summary>
public sealed partial record PatientId
{
    private PatientId(string text, string? reference, string? system, string? value)
    {
        Text = text;
        Reference = reference;
        IdentifierSystem = system;
        IdentifierValue = value;
    }

    /// <summary>The canonical text form, as stored and as given to <see cref="TryParse"/>.</summary>
    public string Text { get; }

    /// <summary><c>Patient/123</c> when bound by reference.</summary>
    public string? Reference { get; }

    public string? IdentifierSystem { get; }
    public string? IdentifierValue { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out PatientId? patient, out string error)
    {
        patient = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "patient is empty; expected Patient/<id> or <system>|<value>";
            return false;
        }
        if (text.StartsWith("Patient/", StringComparison.Ordinal))
        {
            var id = text["Patient/".Length..];
            if (!FhirId().IsMatch(id))
            {
                error = $"'{id}' is not a FHIR id (1-64 of A-Z a-z 0-9 - .)";
                return false;
            }
            patient = new PatientId(text, text, null, null);
            error = "";
            return true;
        }
        var bar = text.IndexOf('|');
        if (bar > 0 && bar < text.Length - 1 && text.IndexOf('|', bar + 1) < 0)
        {
            var system = text[..bar];
            if (!Uri.TryCreate(system, UriKind.Absolute, out _))
            {
                error = $"identifier system '{system}' is not an absolute URI";
                return false;
            }
            patient = new PatientId(text, null, system, text[(bar + 1)..]);
            error = "";
            return true;
        }
        error = $"'{text}' is neither Patient/<id> nor <system>|<value>";
        return false;
    }

    public static PatientId Parse(string text) =>
        TryParse(text, out var p, out var error) ? p : throw new FormatException(error);

    public override string ToString() => Text;

    [GeneratedRegex("^[A-Za-z0-9\\-.]{1,64}$")]
    private static partial Regex FhirId();
}
