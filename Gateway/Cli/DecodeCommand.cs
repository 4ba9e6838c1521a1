using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Vitals.Devices;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Ingest;
using Vitals.Gateway.Ingest.Mqtt;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>decode</c>: the payload debugger. It builds the same <see cref="IngestMessage"/> an MQTT publish would and runs it
/// through the worker's own <see cref="MessageDecoder"/> and <see cref="ReadingMapper"/>, so what it prints is what the
/// gateway would send.
/// </summary>
internal static class DecodeCommand
{
    private const string Help = """
        Usage: Vitals.Gateway decode (--kind <kind> --json '<payload>' | --gatt <uuid> --hex "<bytes>") [options]

        Prints the FHIR resources the payload would produce, as one Bundle of type collection (JSON) on stdout.
        Bad input: exit 2 and one line on stderr that says what is wrong and where (JSON path or byte offset).

          --kind        body-temperature | blood-pressure | body-weight | respiratory-rate | heart-rate | oxygen-saturation
          --json        the MQTT JSON payload (or --json @file to read it from a file)
          --gatt        characteristic UUID, 16-bit hex (2a35) or full
          --hex         the characteristic value as hex bytes ("1E 8A 00 ..."; spaces, colons and dashes ignored)
          --device-id   the device id the topic would carry (default: decode-cli)
          --patient     Patient/123 or system|value; without it the reading would be quarantined and subject is left out
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = GatewayCommandLine.Parse(args, ["kind", "json", "gatt", "hex", "device-id", "patient"]);
        if (a.Help) { Console.Out.WriteLine(Help); return ExitCodes.Ok; }
        if (a.Positionals.Count > 0) throw new UsageException($"unexpected argument '{a.Positionals[0]}'");

        var deviceId = a.Value("device-id") ?? "decode-cli";
        PatientId? patient = null;
        if (a.Value("patient") is { } p && !PatientId.TryParse(p, out patient, out var patientError))
            throw new UsageException($"--patient: {patientError}");

        string topic;
        byte[] payload;
        if (a.Value("kind") is { } kind)
        {
            if (a.Value("gatt") is not null || a.Value("hex") is not null) throw new UsageException("use either --kind/--json or --gatt/--hex");
            var json = a.Value("json") ?? throw new UsageException("--kind needs --json '<payload>'");
            payload = json.StartsWith('@') ? await File.ReadAllBytesAsync(json[1..]).ConfigureAwait(false) : Encoding.UTF8.GetBytes(json);
            topic = $"vitals/{deviceId}/{kind}";
        }
        else if (a.Value("gatt") is { } uuid)
        {
            var hex = a.Value("hex") ?? throw new UsageException("--gatt needs --hex \"<bytes>\"");
            payload = ParseHex(hex);
            topic = $"vitals/{deviceId}/gatt/{uuid}";
        }
        else
        {
            throw new UsageException("say what to decode: --kind <kind> --json '<payload>' or --gatt <uuid> --hex \"<bytes>\" (see --help)");
        }

        using var services = GatewayCommandLine.BuildCliServices();
        var decoder = services.GetRequiredService<MessageDecoder>();
        var time = services.GetRequiredService<TimeProvider>();
        // The pipeline's order: size, then the topic, then the payload.
        if (!decoder.FitsSizeLimit(payload.Length, out var error)
            || !MqttPublish.TryCreateMessage(topic, "decode-cli", payload, time.GetUtcNow(), out var message, out error)
            || !decoder.TryDecode(message, out var reading, out error))
        {
            await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var mapped = services.GetRequiredService<ReadingMapper>().Map(reading, patient);
        Console.Out.WriteLine(FhirJson.Serialize(CollectionBundle.Build(mapped), pretty: true));
        if (patient is null)
            await Console.Error.WriteLineAsync("note: no --patient given; the gateway would quarantine this reading until its device is bound").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    internal static byte[] ParseHex(string text)
    {
        var bytes = new List<byte>(text.Length / 2);
        int? high = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ' ' or ':' or '-' or '\t' or ',') continue;
            if (!Uri.IsHexDigit(c)) throw new UsageException($"--hex: '{c}' at character {i} is not a hex digit");
            var nibble = int.Parse(c.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (high is null) high = nibble;
            else { bytes.Add((byte)(high.Value << 4 | nibble)); high = null; }
        }
        if (high is not null) throw new UsageException("--hex: odd number of hex digits (each byte needs two)");
        return bytes.ToArray();
    }
}
