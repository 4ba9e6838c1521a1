namespace Vitals.Devices;

/// <summary>
/// Why a payload could not become a reading, and where: a JSON path (<c>$.systolic</c>) or a byte offset
/// (<c>byte 3</c>). Rendered as "{Where}: {Message}" in logs, the rejected store and the CLI.
/// </summary>
public readonly record struct DecodeError(string Where, string Message)
{
    public override string ToString() => string.IsNullOrEmpty(Where) ? Message : $"{Where}: {Message}";
}
