using System.Globalization;

namespace Vitals.Devices;

/// <summary>
/// Where in a payload a <see cref="DecodeError"/> was found, as a value rather than text: a JSON path
/// (<c>$.systolic</c>), a byte offset in a JSON payload that is not well-formed (<c>byte 17</c>), a GATT characteristic
/// and the byte offset of the field within its value (<c>0x2A35 byte 7</c>), a field of a <see cref="Reading"/> named
/// by the plausibility rules (<c>systolic</c>), or a text another source made up (an MQTT topic). Rendered by
/// <see cref="ToString"/>; the rendering is what logs, the rejected store and the CLI show.
/// </summary>
public readonly record struct DecodeErrorLocation
{
    public enum LocationKind
    {
        /// <summary>No location: the message says it all.</summary>
        None,
        JsonPath,
        PayloadByte,
        Gatt,
        Field,
        Text,
    }

    private DecodeErrorLocation(LocationKind kind, string? text, ushort? characteristic, long? offset, ReadingField? field)
    {
        Kind = kind;
        _text = text;
        Characteristic = characteristic;
        Offset = offset;
        Field = field;
    }

    private readonly string? _text;

    public LocationKind Kind { get; }

    /// <summary>The 16-bit characteristic UUID of a GATT location, once the caller that knows it has said it.</summary>
    public ushort? Characteristic { get; }

    /// <summary>The byte offset of a GATT field or of a syntax error in a JSON payload.</summary>
    public long? Offset { get; }

    /// <summary>The reading field of a plausibility error.</summary>
    public ReadingField? Field { get; }

    public static DecodeErrorLocation JsonPath(string path) => new(LocationKind.JsonPath, path, null, null, null);

    /// <summary>A byte offset into a payload that could not be read as JSON at all.</summary>
    public static DecodeErrorLocation PayloadByte(long offset) => new(LocationKind.PayloadByte, null, null, offset, null);

    /// <summary>A byte offset within a GATT value whose characteristic the parser does not know (it is added later).</summary>
    public static DecodeErrorLocation GattByte(int offset) => new(LocationKind.Gatt, null, null, offset, null);

    /// <summary>A characteristic as a whole (no field), or one of its fields when <paramref name="offset"/> is given.</summary>
    public static DecodeErrorLocation Gatt(ushort characteristic, int? offset = null) => new(LocationKind.Gatt, null, characteristic, offset, null);

    public static DecodeErrorLocation Of(ReadingField field) => new(LocationKind.Field, null, null, null, field);

    public static DecodeErrorLocation Text(string text) => new(LocationKind.Text, text, null, null, null);

    /// <summary>The same GATT location within a value that starts <paramref name="by"/> bytes further (a nested parser's).</summary>
    public DecodeErrorLocation Shift(int by) =>
        Kind == LocationKind.Gatt && Offset is { } offset ? new(Kind, null, Characteristic, offset + by, null) : this;

    /// <summary>This GATT location in <paramref name="characteristic"/>; a location without one is the characteristic as a whole.</summary>
    public DecodeErrorLocation In(ushort characteristic) => Kind switch
    {
        LocationKind.Gatt when Characteristic is null => new(Kind, null, characteristic, Offset, null),
        LocationKind.Gatt => this,
        _ => Gatt(characteristic),
    };

    public override string ToString() => Kind switch
    {
        LocationKind.JsonPath or LocationKind.Text => _text ?? "",
        LocationKind.PayloadByte => Bytes(Offset),
        LocationKind.Gatt when Characteristic is { } uuid => Offset is null
            ? string.Create(CultureInfo.InvariantCulture, $"0x{uuid:X4}")
            : string.Create(CultureInfo.InvariantCulture, $"0x{uuid:X4} {Bytes(Offset)}"),
        LocationKind.Gatt => Bytes(Offset),
        LocationKind.Field => Field?.ToName() ?? "",
        _ => "",
    };

    private static string Bytes(long? offset) => string.Create(CultureInfo.InvariantCulture, $"byte {offset ?? 0}");
}
