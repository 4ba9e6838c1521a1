using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>
/// Writes a quantity as <c>{"value":"37.60","unit":"Cel"}</c> (plus <c>"absent"</c> for special values). The value is a
/// JSON string so that its scale survives any tool that reads numbers as doubles: the Observation must say 37.60 when
/// the device said 37.60.
/// </summary>
internal sealed class QuantityJsonConverter : JsonConverter<Quantity>
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public override Quantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a quantity must be a JSON object, not {reader.TokenType}");
        }
        decimal value = 0m;
        string? unit = null;
        var absent = AbsentReason.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                throw new JsonException($"unexpected {reader.TokenType} in a quantity");
            }
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "value":
                    var text = reader.TokenType == JsonTokenType.String
                        ? reader.GetString()
                        : throw new JsonException($"a quantity's value must be a JSON string, not {reader.TokenType}");
                    if (!decimal.TryParse(text, DecimalStyle, CultureInfo.InvariantCulture, out value))
                    {
                        throw new JsonException($"'{text}' is not a decimal quantity value");
                    }
                    break;
                case "unit":
                    unit = reader.TokenType == JsonTokenType.String
                        ? reader.GetString()
                        : throw new JsonException($"a quantity's unit must be a JSON string, not {reader.TokenType}");
                    break;
                case "absent":
                    var reason = reader.GetString();
                    if (!Enum.TryParse(reason, ignoreCase: false, out absent) || !Enum.IsDefined(absent))
                    {
                        throw new JsonException($"'{reason}' is not an absent reason");
                    }
                    break;
                default:
                    // Written by a later version: skip rather than refuse, as for unknown reading properties.
                    reader.Skip();
                    break;
            }
        }
        return new Quantity(value, unit ?? throw new JsonException("a quantity has no unit"), absent);
    }

    public override void Write(Utf8JsonWriter writer, Quantity value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("value", value.Value.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("unit", value.Unit);
        if (value.Absent != AbsentReason.None)
        {
            writer.WriteString("absent", value.Absent.ToString());
        }
        writer.WriteEndObject();
    }
}
