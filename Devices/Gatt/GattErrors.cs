using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>Builds the <see cref="DecodeError"/>s of the GATT decoders (Where = "byte N"). Only called on failure.</summary>
internal static class GattErrors
{
    public static DecodeError At(int offset, string message) => new(Where(offset), message);

    public static string Where(int offset) => "byte " + offset.ToString(CultureInfo.InvariantCulture);

    public static DecodeError Truncated(int offset, string field, int need, int remain) =>
        At(offset, string.Create(CultureInfo.InvariantCulture,
            $"truncated: the {field} needs {need} byte{(need == 1 ? "" : "s")}, {remain} remain{(remain == 1 ? "s" : "")}"));

    /// <summary>Re-bases an error of a nested parser (whose offsets start at 0) onto the enclosing value.</summary>
    public static DecodeError Shift(DecodeError inner, int by)
    {
        if (inner.Where.StartsWith("byte ", StringComparison.Ordinal)
            && int.TryParse(inner.Where.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return At(offset + by, inner.Message);
        }
        return inner;
    }
}
