using System.Text.Json;

namespace Vitals.Devices.Json;

/// <summary>
/// The optional <c>device</c> object of an MQTT payload (README, "MQTT contract"): what the publisher says about
/// itself, <c>manufacturer</c> (or <c>maker</c>), <c>model</c>, <c>serial</c>, <c>firmware</c>, each a string by the
/// Device Information Service's text rules (<see cref="Gatt.DeviceInformationText"/>: not empty, at most 64
/// characters, no control characters). Unknown keys are ignored like the payload's own; a value that breaks a rule
/// rejects the message with its path (<c>$.device.model</c>), as any other field does. null means "not sent".
/// </summary>
internal static class JsonDeviceObject
{
    private static readonly DecodeErrorLocation Location = DecodeErrorLocation.JsonPath("$.device");

    /// <param name="reader">On the value of the <c>device</c> key; left on its last token.</param>
    public static bool TryRead(ref Utf8JsonReader reader, out DeviceInformation? device, out DecodeError error)
    {
        device = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            error = default;
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new(Location, $"expected an object with manufacturer, model, serial and firmware, got {JsonToken.From(ref reader).Describe()}");
            return false;
        }
        string? manufacturer = null, model = null, serial = null, firmware = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            // maker and manufacturer name the same thing: both at once is as ambiguous as a repeated key.
            var name = key == "maker" ? "manufacturer" : key;
            var path = DecodeErrorLocation.JsonPath("$.device." + (key.Length <= JsonToken.MaxEchoLength ? key : JsonToken.Echo(key)));
            if (!seen.Add(name))
            {
                error = new(path, $"duplicate key '{JsonToken.Echo(key)}'" + (name == "manufacturer" ? " (maker and manufacturer name the same field)" : ""));
                return false;
            }
            reader.Read();
            if (name is not ("manufacturer" or "model" or "serial" or "firmware"))
            {
                reader.Skip();
                continue;
            }
            var token = JsonToken.From(ref reader);
            string? text = null;
            if (token.Type != JsonTokenType.Null && !TryText(token, path, out text, out error))
            {
                return false;
            }
            switch (name)
            {
                case "manufacturer": manufacturer = text; break;
                case "model": model = text; break;
                case "serial": serial = text; break;
                default: firmware = text; break;
            }
        }
        var information = new DeviceInformation { Manufacturer = manufacturer, Model = model, Serial = serial, Firmware = firmware };
        device = information.IsEmpty ? null : information;
        error = default;
        return true;
    }

    private static bool TryText(in JsonToken token, DecodeErrorLocation path, out string? text, out DecodeError error)
    {
        text = null;
        if (token.Type != JsonTokenType.String)
        {
            error = new(path, $"expected a string, got {token.Describe()}");
            return false;
        }
        var value = token.Text!.Trim();
        if (value.Length == 0)
        {
            error = new(path, "must not be empty");
            return false;
        }
        if (value.Length > Gatt.DeviceInformationText.MaxLength)
        {
            error = new(path, $"is {value.Length} characters; at most {Gatt.DeviceInformationText.MaxLength}");
            return false;
        }
        if (value.Any(char.IsControl))
        {
            error = new(path, "must not contain control characters");
            return false;
        }
        text = value;
        error = default;
        return true;
    }
}
