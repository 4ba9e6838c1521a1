using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Pairing;

/// <summary>Why the page could not bind a device: said to the patient in plain words.</summary>
internal enum BindOutcome
{
    Bound,
    AlreadyYours,

    /// <summary>The device (its only slot) is someone else's.</summary>
    SomeoneElses,

    /// <summary>On a shared cuff or scale, the chosen user button is someone else's.</summary>
    SlotTaken,
}

/// <summary>
/// The pairing page's only way into the device registry (bind, unbind, list a patient's devices), by slot:
/// <c>(device, user index)</c>, the user index null for a device without user buttons. A patient binds only a free
/// slot: moving a slot from one patient to another is the clinic's (<c>devices bind</c> on the command line).
/// </summary>
internal sealed class PairingRegistry(IDeviceBindings bindings)
{
    /// <summary>Whether the slot is free (<see cref="BindOutcome.Bound"/>: it would be bound), changing nothing.</summary>
    public async Task<BindOutcome> CheckSlotAsync(string deviceId, int? userIndex, PatientId patient, CancellationToken ct)
    {
        if (userIndex is { } u)
            ArgumentOutOfRangeException.ThrowIfNegative(u);
        var current = (await bindings.ListBindingsAsync(deviceId, ct).ConfigureAwait(false))
            .FirstOrDefault(b => b.User == userIndex && b.To is null);
        if (current is not null)
            return current.Patient == patient ? BindOutcome.AlreadyYours : userIndex is null ? BindOutcome.SomeoneElses : BindOutcome.SlotTaken;
        return BindOutcome.Bound;
    }

    public async Task<BindOutcome> BindSlotAsync(string deviceId, int? userIndex, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        var free = await CheckSlotAsync(deviceId, userIndex, patient, ct).ConfigureAwait(false);
        if (free != BindOutcome.Bound)
            return free;
        try
        {
            await bindings.BindAsync(deviceId, userIndex, patient, at, ct).ConfigureAwait(false);
        }
        catch (BindingConflictException)
        {
            // The slot's history overlaps the new binding (an earlier binding that ends later): not the patient's to change.
            return userIndex is null ? BindOutcome.SomeoneElses : BindOutcome.SlotTaken;
        }
        return BindOutcome.Bound;
    }

    /// <summary>Unbinds the device's slots bound to <paramref name="patient"/>; false when none is theirs to unpair.</summary>
    public async Task<bool> UnbindSlotAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct)
    {
        var theirs = (await bindings.ListBindingsAsync(deviceId, ct).ConfigureAwait(false))
            .Where(b => b.To is null && b.Patient == patient).ToList();
        foreach (var slot in theirs)
            await bindings.UnbindSlotAsync(deviceId, slot.User, at, ct).ConfigureAwait(false);
        return theirs.Count > 0;
    }

    /// <summary>The device slots bound to <paramref name="patient"/> now.</summary>
    public async Task<IReadOnlyList<DeviceSummary>> ListAsync(PatientId patient, CancellationToken ct) =>
        [.. (await bindings.ListDevicesAsync(null, ct).ConfigureAwait(false)).Where(d => d.Patient == patient)];
}
