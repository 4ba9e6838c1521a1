namespace Vitals.Devices;

/// <summary>
/// Why a payload could not become a reading, and where (<see cref="DecodeErrorLocation"/>: a JSON path, a GATT
/// characteristic and byte offset, ...). Rendered as "{Where}: {Message}" in logs, the rejected store and the CLI.
/// Two errors are equal when they render the same.
/// </summary>
public readonly record struct DecodeError(DecodeErrorLocation Location, string Message)
{
    /// <summary>An error at a location another source spelled out itself (an MQTT topic, a prefixed origin).</summary>
    public DecodeError(string where, string message)
        : this(DecodeErrorLocation.Text(where), message)
    {
    }

    /// <summary>The rendered location: "$.systolic", "0x2A35 byte 7", "byte 17", "" when there is none.</summary>
    public string Where => Location.ToString();

    public bool Equals(DecodeError other) => Where == other.Where && Message == other.Message;

    public override int GetHashCode() => HashCode.Combine(Where, Message);

    public override string ToString() => string.IsNullOrEmpty(Where) ? Message : $"{Where}: {Message}";
}
