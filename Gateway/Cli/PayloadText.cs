using System.Text;

namespace Vitals.Gateway.Cli;

internal static class PayloadText
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Text as text, anything else (GATT bytes, broken UTF-8) as hex, so the operator sees exactly what arrived.</summary>
    public static string Describe(byte[] payload)
    {
        try
        {
            var text = StrictUtf8.GetString(payload);
            if (!text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))) return text;
        }
        catch (DecoderFallbackException)
        {
        }
        return "hex " + Convert.ToHexString(payload);
    }
}
