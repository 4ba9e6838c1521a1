using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vitals.Gateway.Web.Access;
using static Vitals.Gateway.Web.PageLayout;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>
/// "Replace" on the devices page: the add forms carry the device being replaced (<see cref="Field"/>), and once the new
/// device is bound the old one is unpaired at the same instant. The new binding comes first, so a refused or failed
/// add leaves the old device as it was; the old device's readings stay filed with it (a binding never moves readings).
/// </summary>
internal static class DeviceReplacement
{
    public const string Field = "replaces";

    /// <summary>The device named in the request (query or form) when it is one of the patient's, else null.</summary>
    public static string? Find(string? requested, IReadOnlyList<Storage.DeviceSummary> theirs) =>
        requested is { Length: > 0 } id && theirs.Any(d => d.DeviceId == id) ? id : null;

    /// <summary>The hidden form field naming the device being replaced ("" when nothing is).</summary>
    public static string Hidden(string? replaces) =>
        replaces is null ? "" : $"<input type=\"hidden\" name=\"{Field}\" value=\"{E(replaces)}\">";

    /// <summary>
    /// After <paramref name="added"/> is bound to the session's patient: unpairs the device the form replaces, if it is
    /// still the patient's and is another device. True when one was unpaired.
    /// </summary>
    public static async Task<bool> CompleteAsync(string? replaces, string added, PairingSession session, PairingRegistry registry,
        DateTimeOffset at, ILogger logger, CancellationToken ct)
    {
        if (replaces is null || replaces == added) return false;
        if (!await registry.UnbindSlotAsync(replaces, session.Patient, at, ct).ConfigureAwait(false)) return false;
        WebLog.DeviceUnbound(logger, replaces);
        return true;
    }

    /// <summary>The line that says the replacement is done.</summary>
    public static string Done(string replaced) =>
        $"Done: the new device is yours now and {replaced} is unpaired. Its readings so far stay with it. Take a reading now, as usual: it appears below, with when it was sent to your care team.";

    /// <summary>The form field's value, as posted; null when empty or absent.</summary>
    public static string? Posted(IFormCollection form) => form[Field].ToString() is { Length: > 0 } v ? v : null;
}
