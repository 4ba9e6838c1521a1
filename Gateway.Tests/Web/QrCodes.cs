using System.Globalization;
using System.Text.RegularExpressions;
using ZXing;
using ZXing.Common;

namespace Vitals.Gateway.Tests.Web;

/// <summary>
/// Reads a QR code the pages draw (an SVG path of unit squares) back to its text with ZXing, as a phone's camera app
/// would read the screen: the modules are rasterised at 4 pixels each and decoded from the picture.
/// </summary>
internal static partial class QrCodes
{
    public static string Decode(string svg)
    {
        var size = int.Parse(ViewBox().Match(svg).Groups[1].Value, CultureInfo.InvariantCulture);
        const int Scale = 4;
        var width = size * Scale;
        var pixels = new byte[width * width];
        Array.Fill(pixels, (byte)255);
        foreach (Match m in Module().Matches(svg))
        {
            var x = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var y = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            for (var dy = 0; dy < Scale; dy++)
                for (var dx = 0; dx < Scale; dx++)
                    pixels[((y * Scale) + dy) * width + (x * Scale) + dx] = 0;
        }
        var source = new RGBLuminanceSource(pixels, width, width, RGBLuminanceSource.BitmapFormat.Gray8);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], PureBarcode = true } };
        return reader.Decode(source)?.Text ?? throw new InvalidOperationException("no QR code could be read from the SVG");
    }

    [GeneratedRegex("""viewBox="0 0 (\d+) \d+" """)]
    private static partial Regex ViewBox();

    [GeneratedRegex(@"M(\d+),(\d+)h1v1h-1z")]
    private static partial Regex Module();
}
