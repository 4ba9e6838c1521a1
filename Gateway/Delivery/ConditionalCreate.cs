using System.Text;
using Hl7.Fhir.Model;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Builds the search that makes a create conditional (<c>If-None-Exist</c>, or a transaction entry's
/// <c>request.ifNoneExist</c>). The query is built from the very Identifier object the resource carries
/// (fhir.md: "Build the query from the same object as the resource").
/// </summary>
public static class ConditionalCreate
{
    /// <summary>
    /// <c>identifier=&lt;system&gt;|&lt;value&gt;</c>: each part escaped by the FHIR search rules (a literal <c>| , $ \</c>
    /// is preceded by <c>\</c>, otherwise a value holding a comma would turn into an OR of two values) and then
    /// percent-encoded, since servers parse the header as a URL query string.
    /// </summary>
    public static string IfNoneExist(Identifier identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (string.IsNullOrEmpty(identifier.System) || string.IsNullOrEmpty(identifier.Value))
            throw new ArgumentException("A de-duplication identifier needs both a system and a value.", nameof(identifier));
        return "identifier=" + Uri.EscapeDataString(EscapeSearchValue(identifier.System))
            + "|" + Uri.EscapeDataString(EscapeSearchValue(identifier.Value));
    }

    /// <summary>FHIR R4 search escaping (http.html#escaping): <c>\</c>, <c>|</c>, <c>,</c> and <c>$</c> get a leading backslash.</summary>
    public static string EscapeSearchValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\\', '|', ',') < 0 && !value.Contains('$', StringComparison.Ordinal))
            return value;
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '\\' or '|' or ',' or '$')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
