using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>The registry of devices and which patient each is bound to, with the binding history.</summary>
public interface IDeviceBindings
{
    /// <summary>
    /// Binds (or re-binds) a device; quarantined readings of that device move to the outbox in the same transaction.
    /// Returns how many moved. Binding again to the same patient keeps the current binding (no new history entry).
    /// </summary>
    Task<int> BindAsync(string deviceId, PatientId patient, DateTimeOffset at, CancellationToken ct);

    /// <summary>Ends the current binding (history stays). False when the device had none.</summary>
    Task<bool> UnbindAsync(string deviceId, DateTimeOffset at, CancellationToken ct);

    Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(CancellationToken ct);

    /// <summary>The ids of the devices bound now: what a source that keeps connections per device polls for.</summary>
    Task<IReadOnlyList<string>> ListBoundDeviceIdsAsync(CancellationToken ct);

    /// <summary>The binding history, oldest first: every device, or one device's.</summary>
    Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? deviceId, CancellationToken ct);
}
