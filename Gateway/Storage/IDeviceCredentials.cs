namespace Vitals.Gateway.Storage;

/// <summary>
/// MQTT credentials of devices (<c>devices credentials --device ID</c>): the user name is the device id; only a salted,
/// slow hash of the secret is kept (the mosquitto <c>$7$</c> form, so the same hash serves the embedded broker and an
/// exported mosquitto password file). The CLI issues and revokes; the broker looks a hash up at CONNECT.
/// </summary>
public interface IDeviceCredentials
{
    /// <summary>Issues or rotates: the device's earlier hash, if any, stops working at once.</summary>
    Task SetAsync(string deviceId, string passwordHash, DateTimeOffset at, CancellationToken ct);

    /// <summary>False when the device had no credentials.</summary>
    Task<bool> RevokeAsync(string deviceId, CancellationToken ct);

    Task<string?> FindHashAsync(string deviceId, CancellationToken ct);

    /// <summary>Every device with credentials, by device id.</summary>
    Task<IReadOnlyList<DeviceCredential>> ListAsync(CancellationToken ct);
}

/// <summary>One device's stored credential: never the secret itself.</summary>
public sealed record DeviceCredential(string DeviceId, string PasswordHash, DateTimeOffset IssuedAt);
