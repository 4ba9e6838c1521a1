using System.Globalization;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>The passkey a device displays for Passkey Entry pairing.</summary>
public static class Passkey
{
    /// <summary>Six decimal digits (Bluetooth Core Specification, Vol 3, Part H, §2.3.5.3: 000000-999999).</summary>
    public static bool TryParse(string? text, out uint passkey)
    {
        passkey = 0;
        return text is { Length: 6 } && text.All(char.IsAsciiDigit)
            && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out passkey);
    }
}
