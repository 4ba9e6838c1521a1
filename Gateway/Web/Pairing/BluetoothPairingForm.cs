using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Ingest.Ble;
using Vitals.Gateway.Web.Access;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// Pairing a device the gateway can see, with the patient watching: the add form (<see cref="DevicesPage"/>) hands a
/// nearby device here; the gateway pairs it through its BlueZ agent (<see cref="AttendedPairing"/>) and, when the device
/// asks for the passkey it shows, this page asks the patient for it. Only once the bond exists is the slot bound, so
/// a wrong passkey or a device that went away leaves nothing behind; after three wrong passkeys the gateway forgets the
/// device (its bond is removed) and says so.
/// </summary>
internal static class BluetoothPairingForm
{
    public const string Path = DevicesPage.Path + "/passkey";

    public static IEndpointRouteBuilder MapBluetoothPairingForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, PasskeyAsync);
        return app;
    }

    /// <summary>Pairs <paramref name="address"/> for the patient's slot, then binds it; every refusal changes nothing.</summary>
    public static async Task<IResult> PairAsync(HttpContext context, PairingSession session, PairingRegistry registry, AttendedPairing pairing,
        string address, int? user, uint? passkey, string? replaces, TimeProvider time, ILogger logger)
    {
        var ct = context.RequestAborted;
        // The slot is checked before pairing, so that nobody pairs a device only to hear it is someone else's.
        var free = await registry.CheckSlotAsync(address, user, session.Patient, ct);
        if (await DevicesPage.RefusedAsync(context, session, registry, logger, address, user, free) is { } refused)
            return refused;
        var result = await pairing.PairAsync(address, passkey, ct);
        switch (result.Outcome)
        {
            case AttendedPairingOutcome.Paired:
                break;
            case AttendedPairingOutcome.PasskeyNeeded:
                WebLog.PasskeyAsked(logger, address);
                return PasskeyPage(context, address, user, replaces, null, StatusCodes.Status200OK);
            case AttendedPairingOutcome.WrongPasskey:
                return PasskeyPage(context, address, user, replaces, string.Create(CultureInfo.InvariantCulture,
                    $"That number did not match the one on the device. Look at the device's screen and type the number it shows now. {result.TriesLeft} more {(result.TriesLeft == 1 ? "try" : "tries")} before the gateway forgets the device."),
                    StatusCodes.Status400BadRequest);
            case AttendedPairingOutcome.BondRemoved:
                return await DevicesPage.RenderAsync(context, session, registry,
                    $"The number did not match {AttendedPairing.MaxFailures} times, so the gateway has forgotten this device and nothing was set up. To start again, tap the device again and type the number its screen shows.",
                    null, StatusCodes.Status400BadRequest);
            case AttendedPairingOutcome.Unreachable or AttendedPairingOutcome.NotNearby:
                return await DevicesPage.RenderAsync(context, session, registry,
                    "The gateway lost contact with the device while pairing, so nothing was set up. Bring the device close to the gateway, switch it on and try again.",
                    null, StatusCodes.Status400BadRequest);
            default:
                return await DevicesPage.RenderAsync(context, session, registry,
                    "Pairing with the device did not finish, so nothing was set up. Keep the device switched on and close to the gateway, then try again.",
                    null, StatusCodes.Status400BadRequest);
        }
        var now = time.GetUtcNow();
        var outcome = await registry.BindSlotAsync(address, user, session.Patient, now, ct);
        if (await DevicesPage.RefusedAsync(context, session, registry, logger, address, user, outcome) is { } late)
            return late;
        WebLog.DeviceBound(logger, address, user?.ToString(CultureInfo.InvariantCulture) ?? "none");
        if (await DeviceReplacement.CompleteAsync(replaces, address, session, registry, now, logger, ct))
            return await DevicesPage.RenderAsync(context, session, registry, null, DeviceReplacement.Done(replaces!), StatusCodes.Status200OK);
        return await DevicesPage.RenderAsync(context, session, registry, null,
            outcome == BindOutcome.AlreadyYours ? "This device was already yours. Nothing else to do." : "Done: the device is paired and yours now. Take a reading now, as usual: it appears below, with when it was sent to your care team.",
            StatusCodes.Status200OK);
    }

    private static async Task<IResult> PasskeyAsync(HttpContext context, PairingSessions sessions, PairingRegistry registry, AttendedPairing pairing,
        TimeProvider time, ILoggerFactory loggers)
    {
        if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
        if (sessions.Get(context) is not { Confirmed: true } session) return Results.Redirect(PairingPage.Path);
        if (!BleAddress.TryNormalize(form["address"], out var address) || !DevicesPage.TryParseUser(form["user"], out var user))
            return await DevicesPage.RenderAsync(context, session, registry, "Something went wrong with that form. Please choose your device again.", null, StatusCodes.Status400BadRequest);
        if (!Passkey.TryParse(form["passkey"].ToString().Trim(), out var passkey))
            return PasskeyPage(context, address, user, DeviceReplacement.Posted(form), "The number on the device's screen has 6 digits. Please type it again.", StatusCodes.Status400BadRequest);
        return await PairAsync(context, session, registry, pairing, address, user, passkey, DeviceReplacement.Posted(form), time,
            loggers.CreateLogger(typeof(DevicesPage).FullName!));
    }

    private static IResult PasskeyPage(HttpContext context, string address, int? user, string? replaces, string? problem, int status) =>
        Page("Type the number on your device", (problem is null ? "" : Problem(problem)) + $"""
            <p>Your device shows a number with 6 digits on its screen. Type it here to connect the device to the gateway.</p>
            <form method="post" action="{Path}">{CsrfField(context)}{DeviceReplacement.Hidden(replaces)}
            <input type="hidden" name="address" value="{E(address)}">
            <input type="hidden" name="user" value="{user?.ToString(CultureInfo.InvariantCulture) ?? "none"}">
            <label for="pairing-passkey">Number on the device's screen</label>
            <input type="text" id="pairing-passkey" name="passkey" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required
              aria-describedby="pairing-passkey-hint"{(problem is null ? "" : " aria-invalid=\"true\"")}>
            <p class="hint" id="pairing-passkey-hint">For example 123456. The device is {E(address)}.</p>
            <button type="submit">Connect this device</button></form>
            <p><a class="button secondary" href="{DevicesPage.Path}">Cancel</a></p>
            """, status);
}
