using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The de-duplication identifier of an Observation (HL7 PHD IG, "The Observation Identifier": built from the
/// measurement's type, value, units and time stamp so that a resend gets the same one and no other measurement does;
/// docs/fhir.md, "Identifiers"). Two schemes, chosen by <see cref="Reading.IdentityScheme"/>:
/// <list type="bullet">
/// <item>2: system <see cref="FhirSystems.ObservationIdentifier"/> (fixed and public, so another gateway that follows
/// the documented rule computes the same value); value = lower-case hex of the first 16 bytes of SHA-256 over
/// "{ReadingIdentity.Key}|{patient}|{MDC code of the Observation}" (UTF-8).</item>
/// <item>1 (readings stored before scheme 2): system <c>Fhir:IdentifierSystem</c>; value over
/// "{key}|{patient}|{LOINC code}", exactly as those readings were, or will be, delivered.</item>
/// </list>
/// </summary>
public static class ObservationIdentifier
{
    /// <summary>The identifier value; <paramref name="code"/> is the Observation's code (its MDC term in scheme 2, its LOINC code in scheme 1).</summary>
    public static string ComputeValue(Reading reading, PatientId? patient, MeasurementCode code)
    {
        // Span-based: the hash input is written into a stack buffer, encoded into another and hashed; the hex value is
        // the one string made (a property test hashes a million pairs; mapping does it per Observation).
        Span<char> chars = stackalloc char[512];
        char[]? rentedChars = null;
        int length;
        while (!TryWriteHashInput(reading, patient, code, chars, out length))
        {
            if (rentedChars is not null) ArrayPool<char>.Shared.Return(rentedChars);
            rentedChars = ArrayPool<char>.Shared.Rent(chars.Length * 2);
            chars = rentedChars;
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(length);
        byte[]? rentedBytes = maxBytes > 1536 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        Span<byte> bytes = rentedBytes is null ? stackalloc byte[1536] : rentedBytes;
        var count = Encoding.UTF8.GetBytes(chars[..length], bytes);
        SHA256.HashData(bytes[..count], hash);
        if (rentedChars is not null) ArrayPool<char>.Shared.Return(rentedChars);
        if (rentedBytes is not null) ArrayPool<byte>.Shared.Return(rentedBytes);
        return Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>The text the value is the hash of: "{ReadingIdentity.Key}|{patient}|{code}" (docs/fhir.md, "Identifiers").</summary>
    public static string HashInput(Reading reading, PatientId? patient, MeasurementCode code)
    {
        Span<char> chars = stackalloc char[512];
        if (TryWriteHashInput(reading, patient, code, chars, out var length))
            return new string(chars[..length]);
        return ReadingIdentity.Key(reading) + "|" + (patient?.Text ?? "") + "|" + CodePart(reading, code);
    }

    /// <summary>
    /// <see cref="HashInput"/> written into <paramref name="destination"/> without allocating; false when it does not
    /// fit. For callers that compare or hash many inputs.
    /// </summary>
    public static bool TryWriteHashInput(Reading reading, PatientId? patient, MeasurementCode code, Span<char> destination, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(code);
        charsWritten = 0;
        if (!ReadingIdentity.TryWriteKey(reading, destination, out var key))
            return false;
        var patientText = patient?.Text ?? "";
        var codePart = CodePart(reading, code);
        var total = key + 2 + patientText.Length + codePart.Length;
        if (total > destination.Length)
            return false;
        destination[key] = '|';
        patientText.CopyTo(destination[(key + 1)..]);
        destination[key + 1 + patientText.Length] = '|';
        codePart.CopyTo(destination[(key + 2 + patientText.Length)..]);
        charsWritten = total;
        return true;
    }

    private static string CodePart(Reading reading, MeasurementCode code) => reading.IdentityScheme >= 2 ? code.Mdc : code.Loinc;

    /// <param name="legacySystem"><c>Fhir:IdentifierSystem</c>: the system of scheme-1 identifiers.</param>
    public static Identifier Create(string legacySystem, Reading reading, PatientId? patient, MeasurementCode code) =>
        new(reading.IdentityScheme >= 2 ? FhirSystems.ObservationIdentifier : legacySystem, ComputeValue(reading, patient, code));

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
