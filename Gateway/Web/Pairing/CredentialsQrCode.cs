using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using QRCoder;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// A new Wi-Fi device's broker settings as a QR code, for the device's app to scan instead of the patient typing a
/// 43-character password. The text is one JSON object (documented in README "Pairing page"):
/// <c>{"broker":"mqtt://host:1883","username":"id","password":"...","topic":"vitals/id/"}</c>.
/// </summary>
/// <remarks>
/// QRCoder encodes (ISO/IEC 18004, error correction level M: the code survives a smudged or glare-struck screen);
/// the SVG is drawn here as one path of unit squares, so the page needs no inline style or image (CSP) and a test can
/// read the modules back.
/// </remarks>
internal static class CredentialsQrCode
{
    /// <summary>Modules of white border on each side: ISO/IEC 18004 §5.3.8 asks for a quiet zone of 4.</summary>
    public const int QuietZone = 4;

    /// <summary>
    /// The text the code carries. The broker's host is the address the patient's phone used to reach this page when the
    /// broker listens on every address (a device on the same network reaches it there), else the broker's own address.
    /// </summary>
    public static string Text(string device, string password, MqttOptions mqtt, MqttTlsOptions tlsOptions, string requestHost)
    {
        var host = (mqtt.Host is "0.0.0.0" or "::" or "*" or "+" or "" ? requestHost : mqtt.Host).Trim('[', ']');
        var tls = tlsOptions.Enabled;
        var broker = string.Create(CultureInfo.InvariantCulture,
            $"{(tls ? "mqtts" : "mqtt")}://{(IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host)}:{(tls ? tlsOptions.Port : mqtt.Port)}");
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("broker", broker);
            json.WriteString("username", device);
            json.WriteString("password", password);
            json.WriteString("topic", $"vitals/{device}/");
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The code as an SVG element with an accessible name; scales with its container (CSS sets the size).</summary>
    public static string Svg(string text, string label)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        // QRCoder's matrix already carries its own 4-module quiet zone around the symbol.
        var size = modules.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < modules[y].Length; x++)
            {
                if (modules[y][x]) path.Append(CultureInfo.InvariantCulture, $"M{x},{y}h1v1h-1z");
            }
        }
        return $"""<svg class="qr" role="img" aria-label="{PageLayout.E(label)}" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>""";
    }
}
