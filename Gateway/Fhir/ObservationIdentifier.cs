using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The de-duplication identifier of an Observation (HL7 PHD IG, "Observation identifier"; docs/fhir.md): derived only from what the
/// device said (<see cref="ReadingIdentity.Key"/>), the patient it is bound to and the Observation's LOINC code, so a
/// resend yields the same identifier and a BP panel and its pulse Observation differ.
/// </summary>
public static class ObservationIdentifier
{
    /// <summary>Lower-case hex of the first 16 bytes of SHA-256 over "key|patient|loinc" (UTF-8).</summary>
    public static string ComputeValue(Reading reading, PatientId? patient, string loincCode)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentException.ThrowIfNullOrEmpty(loincCode);
        var input = ReadingIdentity.Key(reading) + "|" + (patient?.Text ?? "") + "|" + loincCode;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    public static Identifier Create(string system, Reading reading, PatientId? patient, string loincCode) =>
        new(system, ComputeValue(reading, patient, loincCode));

    /// <summary>
    /// The search expression that finds resources carrying <paramref name="identifier"/>:
    /// <c>identifier=system|value</c>, for an <c>If-None-Exist</c> header, a transaction entry's
    /// <c>request.ifNoneExist</c>, or a search URL after <c>?</c>. Build it from the very Identifier object that is on
    /// the resource (docs/fhir.md: the IG's own example gets this wrong). Works for Device identifiers too.
    /// </summary>
    public static string ToSearchQuery(Identifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (string.IsNullOrEmpty(identifier.System) || string.IsNullOrEmpty(identifier.Value))
        {
            // A query without the system would match other systems' identifiers with the same value.
            throw new ArgumentException("a de-duplication identifier needs both system and value", nameof(identifier));
        }
        return "identifier=" + Escape(identifier.System) + "|" + Escape(identifier.Value);
    }

    // FHIR search escapes its own separators (\ , $ |) with a backslash; the result is then percent-encoded so
    // '&', '=', '#' or spaces in a system or value cannot break the query string.
    private static string Escape(string part)
    {
        var sb = new StringBuilder(part.Length + 4);
        foreach (var c in part)
        {
            if (c is '\\' or ',' or '$' or '|')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return Uri.EscapeDataString(sb.ToString());
    }
}
