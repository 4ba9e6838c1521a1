using System.Text.RegularExpressions;

namespace Vitals.Gateway.Web;

/// <summary>
/// Reasons as the page may show them before anyone has logged in: every number replaced by "#", so that "body weight
/// 900 kg is outside the plausible range 2-300 kg" still says what was wrong without quoting a measured value, and a
/// server's "Patient/123 not found" names no patient.
/// </summary>
internal static partial class RedactedText
{
    public static string WithoutNumbers(string text) => Number().Replace(text, "#");

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex Number();
}
