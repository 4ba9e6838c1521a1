using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>Why the page could not bind a device: said to the patient in plain words.</summary>
internal enum BindOutcome
{
    Bound,
    AlreadyYours,
    SomeoneElses,
}

/// <summary>
/// The pairing page's only way into the device registry (bind, unbind, list a patient's devices). The one seam to
/// switch when the registry becomes <c>(device, user index) -&gt; patient</c> slots: <paramref name="userIndex"/> is
/// carried here from the page's "which user button" choice (1, 2, ...; 1 for a single-user device); today's
/// registry has one slot per device, so it is not stored yet.
/// </summary>
internal sealed class PairingRegistry(IDeviceBindings bindings)
{
    public async Task<BindOutcome> BindSlotAsync(string deviceId, int userIndex, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(userIndex, 1);
        var current = (await bindings.ListDevicesAsync(ct).ConfigureAwait(false)).FirstOrDefault(d => d.DeviceId == deviceId)?.Patient;
        if (current is not null)
            // Only the clinic moves a device from one patient to another (devices bind on the command line).
            return current == patient ? BindOutcome.AlreadyYours : BindOutcome.SomeoneElses;
        await bindings.BindAsync(deviceId, patient, at, ct).ConfigureAwait(false);
        return BindOutcome.Bound;
    }

    /// <summary>Unbinds the device if it is bound to <paramref name="patient"/>; false otherwise (not theirs to unpair).</summary>
    public async Task<bool> UnbindSlotAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        var current = (await bindings.ListDevicesAsync(ct).ConfigureAwait(false)).FirstOrDefault(d => d.DeviceId == deviceId)?.Patient;
        return current == patient && await bindings.UnbindAsync(deviceId, at, ct).ConfigureAwait(false);
    }

    /// <summary>The devices bound to <paramref name="patient"/> now.</summary>
    public async Task<IReadOnlyList<DeviceSummary>> ListAsync(PatientId patient, CancellationToken ct) =>
        [.. (await bindings.ListDevicesAsync(ct).ConfigureAwait(false)).Where(d => d.Patient == patient)];
}
