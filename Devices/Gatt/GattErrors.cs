using System.Globalization;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Builds the <see cref="DecodeError"/>s of the GATT parsers: a byte offset within the value; the characteristic is
/// added by whoever knows it (<see cref="DecodeErrorLocation.In"/>). Only called on failure.
/// </summary>
internal static class GattErrors
{
    public static DecodeError At(int offset, string message) => new(DecodeErrorLocation.GattByte(offset), message);

    public static DecodeError Truncated(int offset, string field, int need, int remain) =>
        At(offset, string.Create(CultureInfo.InvariantCulture,
            $"truncated: the {field} needs {need} byte{(need == 1 ? "" : "s")}, {remain} remain{(remain == 1 ? "s" : "")}"));

    /// <summary>Re-bases an error of a nested parser (whose offsets start at 0) onto the enclosing value.</summary>
    public static DecodeError Shift(DecodeError inner, int by) => inner with { Location = inner.Location.Shift(by) };
}
