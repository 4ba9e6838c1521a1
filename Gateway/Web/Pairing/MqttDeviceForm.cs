using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Web.Access;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// "Add a Wi-Fi device": an MQTT device by its id, bound to the patient, with new broker credentials shown once (as
/// <c>devices credentials</c> prints them: 32 random bytes, only the salted hash stored), also as a QR code for the
/// device's app (<see cref="CredentialsQrCode"/>).
/// </summary>
internal static class MqttDeviceForm
{
    public const string Path = DevicesPage.Path + "/mqtt";

    public static IEndpointRouteBuilder MapMqttDeviceForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, AddAsync);
        return app;
    }

    public static string Html(string csrf) => $"""
        <h2>Add a Wi-Fi device</h2>
        <form method="post" action="{Path}">{csrf}
        <label for="mqtt-device">Device id</label>
        <input type="text" id="mqtt-device" name="device" autocomplete="off" spellcheck="false" required aria-describedby="mqtt-hint">
        <p class="hint" id="mqtt-hint">In the device's app or on its label. The page then shows the device's password once.</p>
        <button type="submit">Add this Wi-Fi device</button></form>
        """;

    private static async Task<IResult> AddAsync(HttpContext context, PairingSessions sessions, PairingRegistry registry,
        IDeviceCredentials credentials, IOptions<MqttOptions> mqtt, IOptions<MqttTlsOptions> tls, TimeProvider time, ILoggerFactory loggers)
    {
        if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
        if (sessions.Get(context) is not { Confirmed: true } session) return Results.Redirect(PairingPage.Path);
        var device = form["device"].ToString().Trim();
        var logger = loggers.CreateLogger(typeof(MqttDeviceForm).FullName!);
        // An operator's user name is checked first by the broker: such device credentials would never be used.
        if (!VitalsTopic.IsValidDeviceId(device) || mqtt.Value.Operators.Any(o => o.Username == device))
            return await DevicesPage.RenderAsync(context, session, registry, "That is not a device id. It has letters, numbers, dots, dashes or colons, up to 64.", null, StatusCodes.Status400BadRequest);
        var now = time.GetUtcNow();
        var outcome = await registry.BindSlotAsync(device, null, session.Patient, now, context.RequestAborted);
        if (await DevicesPage.RefusedAsync(context, session, registry, logger, device, null, outcome) is { } refused)
            return refused;
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await credentials.SetAsync(device, MosquittoPasswordHash.Create(secret, mqtt.Value.CredentialIterations).ToString(), now, context.RequestAborted);
        WebLog.DeviceBound(logger, device, "none");
        var replaces = DeviceReplacement.Posted(form);
        var replaced = await DeviceReplacement.CompleteAsync(replaces, device, session, registry, now, logger, context.RequestAborted);
        // Shown once, never stored: the answer must not be cached (RFC 9111 5.2.2.5 no-store).
        context.Response.Headers.CacheControl = "no-store";
        var qr = CredentialsQrCode.Svg(CredentialsQrCode.Text(device, secret, mqtt.Value, tls.Value, context.Request.Host.Host), "QR code with these settings, for the device's app");
        return Page("Your Wi-Fi device is added", $"""
            <p class="ok" role="status" id="done">Done: {E(device)} is yours now{(replaced ? $" and {E(replaces)} is unpaired (its readings so far stay with it)" : "")}. Type these into the device's settings. They are shown only this once.</p>
            <dl><dt>User name</dt><dd id="mqtt-username"><code>{E(device)}</code></dd>
            <dt>Password</dt><dd id="mqtt-password"><code>{E(secret)}</code></dd></dl>
            <p>If the device's app can scan a code, scan this one instead of typing.</p>
            <div id="mqtt-qr">{qr}</div>
            <p><a class="button" href="{DevicesPage.Path}">I have typed them in</a></p>
            """);
    }
}
