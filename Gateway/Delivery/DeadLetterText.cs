using System.Globalization;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// The EHR's answer as a dead letter keeps it: at most <see cref="MaxChars"/> characters, and when cut, a last line
/// saying how much was left out. A dead letter is for an operator to read the OperationOutcome; a refusal that came
/// with megabytes of HTML must not make the store grow by as much per reading.
/// </summary>
public static class DeadLetterText
{
    public const int MaxChars = 64 * 1024;

    /// <summary><paramref name="text"/> as stored; <paramref name="cut"/> is how many characters were left out (0 when none).</summary>
    public static string? Truncate(string? text, out int cut)
    {
        cut = 0;
        if (text is null || text.Length <= MaxChars)
            return text;
        // Not in the middle of a surrogate pair: the stored text stays valid UTF-16.
        var keep = char.IsHighSurrogate(text[MaxChars - 1]) ? MaxChars - 1 : MaxChars;
        cut = text.Length - keep;
        return string.Concat(text.AsSpan(0, keep),
            string.Create(CultureInfo.InvariantCulture, $"\n[truncated: {cut} of {text.Length} characters left out]"));
    }
}
