using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Web.Access;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// <c>/pair/devices</c>, after a confirmed code: the patient's devices with "unpair", and a form to add a Bluetooth
/// device by the address on its label, with the passkey it shows (handed to the gateway's BlueZ agent through the store,
/// as <c>devices pair</c> does) and the user button the patient presses on a shared cuff or scale.
/// </summary>
internal static class DevicesPage
{
    public const string Path = PairingPage.Path + "/devices";
    public const int MaxUserButtons = 4;

    public static IEndpointRouteBuilder MapDevicesPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, async (HttpContext context, PairingSessions sessions, PairingRegistry registry) =>
            sessions.Get(context) is { Confirmed: true } session
                ? await RenderAsync(context, session, registry, null, null, StatusCodes.Status200OK)
                : Results.Redirect(PairingPage.Path));
        app.MapPost(Path + "/add", AddAsync);
        app.MapPost(Path + "/unpair", UnpairAsync);
        app.MapMqttDeviceForm();
        app.MapBluetoothPairingForm();
        app.MapNearbyList();
        app.MapReadingsStream();
        return app;
    }

    private static async Task<IResult> AddAsync(HttpContext context, PairingSessions sessions, PairingRegistry registry,
        IPendingPairings passkeys, TimeProvider time, ILoggerFactory loggers)
    {
        if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
        if (sessions.Get(context) is not { Confirmed: true } session) return Results.Redirect(PairingPage.Path);
        var ct = context.RequestAborted;
        if (!BleAddress.TryNormalize(form["address"], out var address))
            return await RenderAsync(context, session, registry, "That is not a device address. It has 6 pairs of letters and numbers, like C0:FF:EE:12:34:56, on the device's label.", null, StatusCodes.Status400BadRequest);
        var passkeyText = form["passkey"].ToString().Trim();
        uint passkey = 0;
        if (passkeyText.Length > 0 && !Passkey.TryParse(passkeyText, out passkey))
            return await RenderAsync(context, session, registry, "The number from the device's screen has 6 digits. Please type it again.", null, StatusCodes.Status400BadRequest);
        if (!TryParseUser(form["user"], out var user))
            return await RenderAsync(context, session, registry, "Choose the user button you press on the device, or \"no user buttons\".", null, StatusCodes.Status400BadRequest);

        var logger = loggers.CreateLogger(typeof(DevicesPage).FullName!);
        // A device the gateway sees now is paired here, the patient watching (and typing its passkey if it asks).
        if (context.RequestServices.GetService<AttendedPairing>() is { } pairing && pairing.IsNearby(address))
            return await BluetoothPairingForm.PairAsync(context, session, registry, pairing, address, user, passkeyText.Length > 0 ? passkey : null,
                DeviceReplacement.Posted(form), time, logger);
        // Otherwise (out of sight now, or no Bluetooth here) bound with its passkey, which the gateway's session uses
        // when the device comes into range.
        var now = time.GetUtcNow();
        var outcome = await registry.BindSlotAsync(address, user, session.Patient, now, ct);
        if (await RefusedAsync(context, session, registry, logger, address, user, outcome) is { } refused)
            return refused;
        // Bound first, then the passkey: the gateway connects to bound devices only, and pairs with the passkey it finds.
        if (passkeyText.Length > 0) await passkeys.SetAsync(address, passkey, now, ct);
        WebLog.DeviceBound(logger, address, user?.ToString(CultureInfo.InvariantCulture) ?? "none");
        var replaces = DeviceReplacement.Posted(form);
        if (await DeviceReplacement.CompleteAsync(replaces, address, session, registry, now, logger, ct))
            return await RenderAsync(context, session, registry, null, DeviceReplacement.Done(replaces!), StatusCodes.Status200OK);
        return await RenderAsync(context, session, registry, null,
            outcome == BindOutcome.AlreadyYours ? "This device was already yours. Nothing else to do." : "Done: the device is yours now. Take a reading now, as usual: it appears below, with when it was sent to your care team.",
            StatusCodes.Status200OK);
    }

    /// <summary>
    /// "none": the device has no user buttons, its readings carry no user index (one slot). Otherwise the button the
    /// patient presses is the user index its readings carry (Blood Pressure / Weight Measurement User ID).
    /// </summary>
    internal static bool TryParseUser(string? text, out int? user)
    {
        user = null;
        if (text == "none") return true;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var button) || button is < 1 or > MaxUserButtons) return false;
        user = button;
        return true;
    }

    private static async Task<IResult> UnpairAsync(HttpContext context, PairingSessions sessions, PairingRegistry registry, TimeProvider time, ILoggerFactory loggers)
    {
        if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
        if (sessions.Get(context) is not { Confirmed: true } session) return Results.Redirect(PairingPage.Path);
        var device = form["device"].ToString();
        if (!await registry.UnbindSlotAsync(device, session.Patient, time.GetUtcNow(), context.RequestAborted))
            return await RenderAsync(context, session, registry, "That device is not one of yours, so nothing was changed.", null, StatusCodes.Status400BadRequest);
        WebLog.DeviceUnbound(loggers.CreateLogger(typeof(DevicesPage).FullName!), device);
        return await RenderAsync(context, session, registry, null, "The device is unpaired. Its readings no longer go to your care team.", StatusCodes.Status200OK);
    }

    /// <summary>The page that says why a bind was refused (someone else's device or user button), or null when it was not.</summary>
    internal static async Task<IResult?> RefusedAsync(
        HttpContext context, PairingSession session, PairingRegistry registry, ILogger logger, string deviceId, int? user, BindOutcome outcome)
    {
        var (reason, message) = outcome switch
        {
            BindOutcome.SomeoneElses => ("bound to another patient",
                "This device is already set up for someone else. Only your clinic can move it to you: please call them."),
            BindOutcome.SlotTaken => ("user slot taken",
                $"Someone else already uses user button {user} on this device. Choose the button you press, or call your clinic."),
            _ => (null, null),
        };
        if (reason is null)
            return null;
        WebLog.BindRefused(logger, deviceId, reason);
        return await RenderAsync(context, session, registry, message, null, StatusCodes.Status409Conflict);
    }

    internal static async Task<IResult> RenderAsync(HttpContext context, PairingSession session, PairingRegistry registry, string? problem, string? done, int status)
    {
        var devices = await registry.ListAsync(session.Patient, context.RequestAborted);
        var csrf = CsrfField(context);
        var html = new StringBuilder();
        if (problem is not null) html.Append(Problem(problem));
        if (done is not null) html.Append("<p class=\"ok\" role=\"status\" id=\"done\">").Append(E(done)).Append("</p>");
        html.Append("<h2>Your devices</h2>");
        if (devices.Count == 0) html.Append("<p id=\"no-devices\">No device is set up for you yet.</p>");
        else
        {
            html.Append("<ul class=\"devices\">");
            foreach (var d in devices)
                html.Append(CultureInfo.InvariantCulture, $"""
                    <li><strong>{E(d.DeviceId)}</strong>: {d.Readings} readings so far.
                    <form method="post" action="{Path}/unpair">{csrf}<input type="hidden" name="device" value="{E(d.DeviceId)}">
                    <button type="submit" class="secondary" aria-label="Unpair {E(d.DeviceId)}">Unpair</button></form>
                    <a class="button secondary" href="{Path}?{DeviceReplacement.Field}={Uri.EscapeDataString(d.DeviceId)}#add" aria-label="Replace {E(d.DeviceId)} with a new device">Replace</a></li>
                    """);
            html.Append("</ul>");
        }
        await YourReadings.AppendAsync(html, session.Patient, devices, context.RequestServices.GetRequiredService<IPatientReadings>(),
            context.RequestServices.GetRequiredService<TimeProvider>(), context.RequestAborted);
        var nearby = NearbyList.Shown(context);
        if (nearby) NearbyList.Append(html, context.RequestServices.GetRequiredService<NearbyDevices>());
        // "Replace": the add forms carry the device being replaced; it is unpaired once the new one is added.
        var replaces = DeviceReplacement.Find(context.Request.Query[DeviceReplacement.Field], devices);
        if (replaces is not null)
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"ok\" role=\"status\" id=\"replacing\">Replacing {E(replaces)}: add the new device below. Once it is added, {E(replaces)} is unpaired; its readings so far stay with it.</p>");
        // A device tapped in the list without script: its address comes back in the query.
        var picked = BleAddress.TryNormalize(context.Request.Query["address"], out var tapped) ? tapped : "";
        html.Append(CultureInfo.InvariantCulture, $"""
            <h2 id="add">Add a Bluetooth device</h2>
            <p class="hint" id="picked" role="status"></p>
            <form method="post" action="{Path}/add">{csrf}{DeviceReplacement.Hidden(replaces)}
            <label for="address">Device address</label>
            <input type="text" id="address" name="address" value="{E(picked)}" autocomplete="off" autocapitalize="characters" spellcheck="false" required aria-describedby="address-hint">
            <p class="hint" id="address-hint">On the device's label, like C0:FF:EE:12:34:56.</p>
            <label for="passkey">Number on the device's screen (if it shows one)</label>
            <input type="text" id="passkey" name="passkey" inputmode="numeric" autocomplete="one-time-code" maxlength="6">
            <fieldset><legend>Which user button do you press on the device?</legend>
            """);
        html.Append("<label><input type=\"radio\" name=\"user\" value=\"none\" checked> The device has no user buttons</label>");
        for (var i = 1; i <= MaxUserButtons; i++)
            html.Append(CultureInfo.InvariantCulture, $"<label><input type=\"radio\" name=\"user\" value=\"{i}\"> User {i}</label>");
        html.Append("</fieldset><button type=\"submit\">Add this device</button></form>");
        html.Append(MqttDeviceForm.Html(csrf + DeviceReplacement.Hidden(replaces)));
        return Page("Your health devices", html.ToString(), status, script: devices.Count > 0 || nearby);
    }
}
