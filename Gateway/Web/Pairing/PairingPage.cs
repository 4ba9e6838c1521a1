using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Web.Access;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// The pairing page for patients and carers (<c>/pair</c>): the enrolment code, then "Is this you?" with the first name
/// and birth year from the EHR, then the patient's devices (<see cref="DevicesPage"/>). Server-rendered forms that
/// work without script and by keyboard. Nothing about the patient is shown before a valid code, and then only those two
/// facts; a refusal changes nothing and says what to do.
/// </summary>
internal static class PairingPage
{
    public const string Path = "/pair";

    public static IServiceCollection AddPairingPage(this IServiceCollection services)
    {
        services.TryAddSingleton<PairingSessions>();
        services.TryAddSingleton<PairingRegistry>();
        return services;
    }

    public static IEndpointRouteBuilder MapPairingPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context, PairingSessions sessions) =>
            sessions.Get(context) is { Confirmed: true } ? Results.Redirect(DevicesPage.Path) : CodeForm(context, null));
        app.MapPost(Path, EnterCodeAsync).RequireRateLimiting(TryLimits.EnrolmentCode);
        app.MapGet(Path + "/confirm", (HttpContext context, PairingSessions sessions) =>
            sessions.Get(context) is { } session ? ConfirmForm(context, session) : Results.Redirect(Path));
        app.MapPost(Path + "/confirm", ConfirmAsync);
        app.MapDevicesPage();
        return app;
    }

    private static async Task<IResult> EnterCodeAsync(HttpContext context, PairingSessions sessions, IEnrolmentCodes codes,
        EhrPatientLookup lookup, TimeProvider time, ILoggerFactory loggers)
    {
        if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
        var logger = loggers.CreateLogger(typeof(PairingPage).FullName!);
        var normalized = EnrolmentCode.Normalize(form["code"]);
        var record = normalized is null ? null : await codes.FindAsync(EnrolmentCode.Hash(normalized), context.RequestAborted);
        var now = time.GetUtcNow();
        var refusal = record switch
        {
            null => ("unknown", "We do not know that code. Check it against the letter from your clinic and try again."),
            { UsedAt: not null } => ("used", "This code has already been used. Ask your clinic for a new code."),
            { } r when r.ExpiresAt <= now => ("expired", "This code has expired. Ask your clinic for a new code."),
            _ => ((string, string)?)null,
        };
        if (refusal is var (reason, message))
        {
            WebLog.EnrolmentCodeRefused(logger, reason);
            return CodeForm(context, message, StatusCodes.Status400BadRequest);
        }
        var found = await lookup.FindAsync(record!.Patient, context.RequestAborted);
        switch (found.Outcome)
        {
            case PatientLookupOutcome.Unknown:
                WebLog.PatientLookupFailed(logger, "the EHR does not know the enrolled patient");
                return CodeForm(context, "Your clinic's records do not have the patient this code is for. Nothing was changed. Please ask your clinic.", StatusCodes.Status400BadRequest);
            case PatientLookupOutcome.Unreachable:
                WebLog.PatientLookupFailed(logger, found.Reason ?? "no answer");
                return CodeForm(context, "We cannot reach your clinic's records right now. Nothing was changed and your code still works. Please try again in a few minutes.", StatusCodes.Status503ServiceUnavailable);
        }
        sessions.Start(context, EnrolmentCode.Hash(normalized!), record.Patient, found.FirstName, found.BirthYear);
        WebLog.PairingSessionStarted(logger, record.Patient.Text);
        return Results.Redirect(Path + "/confirm");
    }

    private static async Task<IResult> ConfirmAsync(HttpContext context, PairingSessions sessions, IEnrolmentCodes codes, TimeProvider time, ILoggerFactory loggers)
    {
        if (await Csrf.ReadFormAsync(context) is not { } form) return Csrf.Refused();
        if (sessions.Get(context) is not { } session) return Results.Redirect(Path);
        if (session.Confirmed) return Results.Redirect(DevicesPage.Path);
        if (form["answer"] != "yes")
        {
            sessions.End(context);
            return Page("Nothing was changed", "<p>That is fine: nothing was changed. Please check with your clinic that you have the right code.</p>"
                + $"<p><a class=\"button\" href=\"{Path}\">Enter another code</a></p>");
        }
        // The code is used up only now, atomically: two browsers with the same code cannot both get this far.
        if (await codes.RedeemAsync(session.CodeHash, time.GetUtcNow(), context.RequestAborted) is null)
        {
            sessions.End(context);
            return CodeForm(context, "This code has just expired or been used. Ask your clinic for a new code.", StatusCodes.Status400BadRequest);
        }
        session.Confirmed = true;
        WebLog.EnrolmentCodeRedeemed(loggers.CreateLogger(typeof(PairingPage).FullName!));
        return Results.Redirect(DevicesPage.Path);
    }

    private static IResult CodeForm(HttpContext context, string? problem, int status = StatusCodes.Status200OK) =>
        Page("Connect your health devices", (problem is null ? "" : Problem(problem)) + $"""
            <p>Your clinic gave you a code with 8 letters and numbers. Type it here to start.</p>
            <form method="post" action="{Path}">{CsrfField(context)}
            <label for="code">Your code</label>
            <input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
              inputmode="text" maxlength="12" required aria-describedby="code-hint"{(problem is null ? "" : " aria-invalid=\"true\"")}>
            <p class="hint" id="code-hint">For example KXMT-4HRC. Dashes and spaces do not matter.</p>
            <button type="submit">Continue</button></form>
            """, status);

    private static IResult ConfirmForm(HttpContext context, PairingSession session)
    {
        if (session.Confirmed) return Results.Redirect(DevicesPage.Path);
        var who = (session.FirstName, session.BirthYear) switch
        {
            ({ } name, { } year) => $"<strong>{E(name)}</strong>, born in <strong>{year}</strong>",
            ({ } name, null) => $"<strong>{E(name)}</strong>",
            (null, { } year) => $"someone born in <strong>{year}</strong>",
            _ => "the patient your clinic enrolled",
        };
        var csrf = CsrfField(context);
        return Page("Is this you?", $"""
            <p>This code is for {who}.</p>
            <form method="post" action="{Path}/confirm">{csrf}<input type="hidden" name="answer" value="yes">
            <button type="submit">Yes, this is me</button></form>
            <form method="post" action="{Path}/confirm">{csrf}<input type="hidden" name="answer" value="no">
            <button type="submit" class="secondary">No, this is not me</button></form>
            <p class="hint">If you help someone else, answer for them.</p>
            """);
    }
}
