using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// The registry: which patient each slot of a device (device, user index) belongs to, and when. A binding is valid over
/// [from, to); a reading goes only to the binding of its own slot whose validity contains its effective time, and is
/// quarantined when there is none (never filed under another slot's patient). A user index null is the slot of
/// readings that carry none.
/// </summary>
public interface IDeviceBindings
{
    /// <summary>
    /// Binds the slot (<paramref name="deviceId"/>, <paramref name="user"/>) to <paramref name="patient"/> from
    /// <paramref name="from"/> on. A current binding of the slot to another patient ends at <paramref name="from"/>
    /// (readings already filed never move); binding again to the same patient keeps the current binding (its validity
    /// starts earlier when <paramref name="from"/> is earlier). The slot's quarantined readings whose effective time lies
    /// in the binding's validity move to the outbox in the same transaction; the number moved is returned.
    /// </summary>
    /// <exception cref="BindingConflictException">the validity would overlap an earlier binding of the slot</exception>
    Task<int> BindAsync(string deviceId, int? user, PatientId patient, DateTimeOffset from, CancellationToken ct);

    /// <summary>
    /// Ends the current binding of one user slot (<paramref name="user"/> given) or of every slot of the device
    /// (<paramref name="user"/> null, the slot without user index included) at <paramref name="at"/>; history stays.
    /// False when there was no current binding to end.
    /// </summary>
    Task<bool> UnbindAsync(string deviceId, int? user, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Ends the current binding of exactly the slot (<paramref name="deviceId"/>, <paramref name="user"/>): with
    /// <paramref name="user"/> null the slot without user index only, never the device's user slots (a patient who
    /// unpairs their own slot must not end another patient's). False when there was no current binding to end.
    /// </summary>
    Task<bool> UnbindSlotAsync(string deviceId, int? user, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// One row per slot, by device then user index (the slot without user index first): every device the store has
    /// seen or bound, or one device's slots. A slot is listed when it is bound now or has quarantined readings; a device
    /// with neither has one row for its slot without user index.
    /// </summary>
    Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(string? deviceId, CancellationToken ct);

    /// <summary>The ids of the devices with a slot bound now: what a source that keeps connections per device polls for.</summary>
    Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct);

    /// <summary>The binding history (slot and validity), by device, user index, then from: every device, or one device's.</summary>
    Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct);
}
