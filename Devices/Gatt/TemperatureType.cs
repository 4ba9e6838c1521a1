namespace Vitals.Devices.Gatt;

/// <summary>
/// Temperature Type 0x2A1D (one byte; also the optional last field of 0x2A1C): where the temperature was taken.
/// 0 and 10..255 are reserved: kept as sent, with no site (docs/devices.md).
/// </summary>
public readonly record struct TemperatureType(byte Value)
{
    public const int Length = 1;

    /// <summary>The site name as <c>Reading.Site</c> and the FHIR site table spell it, or null for a reserved value.</summary>
    public string? Site => Value switch
    {
        1 => "axillary",
        2 => "body",
        3 => "ear",
        4 => "finger",
        5 => "gi-tract",
        6 => "oral",
        7 => "rectal",
        8 => "toe",
        9 => "tympanic",
        _ => null,
    };

    public static bool TryParse(ReadOnlySpan<byte> data, out TemperatureType value, out DecodeError error)
    {
        value = default;
        if (data.Length < Length)
        {
            error = GattErrors.Truncated(0, "temperature type", Length, data.Length);
            return false;
        }
        if (data.Length > Length)
        {
            error = GattErrors.At(Length, $"{data.Length - Length} unexpected byte(s) after the temperature type");
            return false;
        }
        value = new TemperatureType(data[0]);
        error = default;
        return true;
    }

    public bool TryFormat(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length)
        {
            return false;
        }
        destination[0] = Value;
        written = Length;
        return true;
    }
}
