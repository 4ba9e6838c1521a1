using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Patients;
using Vitals.Gateway.Web.Access;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// A patient's way through the pairing page, kept in memory on the server: the browser holds only a random token
/// (HttpOnly, SameSite=Strict cookie, path /pair). The patient is known to the session from a valid code on; the page
/// shows the first name and birth year to confirm, and acts for the patient only once they said "yes".
/// </summary>
internal sealed class PairingSession(string codeHash, PatientId patient, string? firstName, int? birthYear, DateTimeOffset expires)
{
    public string CodeHash { get; } = codeHash;
    public PatientId Patient { get; } = patient;
    public string? FirstName { get; } = firstName;
    public int? BirthYear { get; } = birthYear;
    public DateTimeOffset Expires { get; } = expires;

    /// <summary>Set once the patient confirmed "Is this you?" and the code was used up.</summary>
    public bool Confirmed { get; set; }
}

internal sealed class PairingSessions(TimeProvider time, IOptions<WebAccessOptions> options)
{
    public const string Cookie = "vg-pairing";
    private readonly ConcurrentDictionary<string, PairingSession> _sessions = new(StringComparer.Ordinal);

    public void Start(HttpContext context, string codeHash, PatientId patient, string? firstName, int? birthYear)
    {
        Sweep();
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[token] = new PairingSession(codeHash, patient, firstName, birthYear, time.GetUtcNow() + options.Value.PairingSessionLifetime);
        context.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/pair",
            MaxAge = options.Value.PairingSessionLifetime,
        });
    }

    /// <summary>The session of this browser, or null (none, or expired).</summary>
    public PairingSession? Get(HttpContext context)
    {
        if (context.Request.Cookies[Cookie] is not { Length: > 0 } token || !_sessions.TryGetValue(token, out var session)) return null;
        if (session.Expires > time.GetUtcNow()) return session;
        _sessions.TryRemove(token, out _);
        return null;
    }

    public void End(HttpContext context)
    {
        if (context.Request.Cookies[Cookie] is { Length: > 0 } token) _sessions.TryRemove(token, out _);
        context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/pair" });
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (token, session) in _sessions)
            if (session.Expires <= now) _sessions.TryRemove(token, out _);
    }
}
