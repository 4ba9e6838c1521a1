using System.Globalization;
using System.Net.Http.Headers;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// Reads how long a throttling server asks to be left alone when it sends no Retry-After, from the rate-limit header
/// fields some servers send instead (Medplum answers its quota's 429 with only <c>RateLimit</c>):
/// <list type="bullet">
/// <item><c>RateLimit: "fhirInteractions";r=0;t=42</c>: IETF httpapi "RateLimit header fields for HTTP" (draft 08 and
/// later), a Structured Fields list (RFC 9651) of limits with the units left (<c>r</c>) and the seconds until the
/// window resets (<c>t</c>). The delay is the longest <c>t</c> among the limits that are used up (<c>r</c> 0): the
/// request needs all of them.</item>
/// <item><c>RateLimit: limit=100, remaining=0, reset=42</c>: drafts 06-07 (one dictionary).</item>
/// <item><c>RateLimit-Reset: 42</c> (drafts 01-05, seconds) with <c>RateLimit-Remaining</c>, and the older
/// <c>X-RateLimit-Reset</c>, which some servers send as seconds and others (GitHub) as a Unix time: a value above
/// 10^9 is taken as a Unix time.</item>
/// </list>
/// A header that says units remain, or that cannot be read, gives no delay.
/// </summary>
public static class RateLimitHeader
{
    /// <summary>Values above this are Unix times (2001-09-09 onwards), not a number of seconds.</summary>
    private const long UnixTimeThreshold = 1_000_000_000;

    /// <summary>The delay the rate-limit fields ask for, or null; never negative.</summary>
    public static TimeSpan? ToDelay(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValues("RateLimit", out var rateLimit) && ParseRateLimit(string.Join(", ", rateLimit), now) is { } fromField)
            return fromField;
        var remaining = Single(headers, "RateLimit-Remaining") ?? Single(headers, "X-RateLimit-Remaining");
        if (remaining is { } r && long.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left) && left > 0)
            return null;
        if (Single(headers, "RateLimit-Reset") is { } reset && ParseSeconds(reset, now, unixTimeAllowed: false) is { } fromReset)
            return fromReset;
        if (Single(headers, "X-RateLimit-Reset") is { } xReset && ParseSeconds(xReset, now, unixTimeAllowed: true) is { } fromXReset)
            return fromXReset;
        return null;
    }

    /// <summary>The <c>RateLimit</c> field's value (all its lines joined by ", "), as of draft 08 or drafts 06-07.</summary>
    public static TimeSpan? ParseRateLimit(string value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        TimeSpan? longest = null;
        var legacy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in SplitOutsideQuotes(value, ','))
        {
            var parts = SplitOutsideQuotes(member, ';');
            if (parts.Count == 0)
                continue;
            if (parts[0].Contains('=', StringComparison.Ordinal) && !parts[0].StartsWith('"'))
            {
                // Drafts 06-07: limit=100, remaining=0, reset=42.
                var (key, v) = KeyValue(parts[0]);
                legacy[key] = v;
                continue;
            }
            long? r = null, t = null;
            foreach (var parameter in parts.Skip(1))
            {
                var (key, v) = KeyValue(parameter);
                if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    if (key == "r") r = n;
                    else if (key == "t") t = n;
                }
            }
            if (r is <= 0 && t is { } seconds)
            {
                var delay = TimeSpan.FromSeconds(Math.Max(0, seconds));
                if (longest is null || delay > longest)
                    longest = delay;
            }
        }
        if (longest is null && legacy.TryGetValue("remaining", out var remaining) && remaining == "0"
            && legacy.TryGetValue("reset", out var reset))
            return ParseSeconds(reset, now, unixTimeAllowed: false);
        return longest;
    }

    private static TimeSpan? ParseSeconds(string text, DateTimeOffset now, bool unixTimeAllowed)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0)
            return null;
        if (n > UnixTimeThreshold)
        {
            if (!unixTimeAllowed)
                return null;
            var delay = DateTimeOffset.FromUnixTimeSeconds(n) - now;
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }
        return TimeSpan.FromSeconds(n);
    }

    private static string? Single(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static (string Key, string Value) KeyValue(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (text.Trim(), "") : (text[..eq].Trim(), text[(eq + 1)..].Trim().Trim('"'));
    }

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
                quoted = !quoted;
            else if (text[i] == separator && !quoted)
            {
                Add(text[start..i]);
                start = i + 1;
            }
        }
        Add(text[start..]);
        return parts;

        void Add(string part)
        {
            var trimmed = part.Trim();
            if (trimmed.Length > 0)
                parts.Add(trimmed);
        }
    }
}
