using System.Text;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>
/// mosquitto's password file and ACL file for External mode, made from the device registry: every device logs in as
/// its own id and may publish only under <c>vitals/{its id}/</c>; the gateway's account may read all of <c>vitals/</c>.
/// </summary>
/// <remarks>
/// Password file: one <c>user:hash</c> line per account, the <c>$7$</c> PBKDF2-SHA512 form mosquitto_passwd(1) writes,
/// so mosquitto reads it as it is and mosquitto_passwd can update it. A user name cannot contain ':' there (the first
/// ':' ends it), so a device id with one (a Bluetooth address) gets no line.
/// ACL file (mosquitto.conf(5), acl_file): once an acl_file is set, anything not granted is denied, to publish and to
/// subscribe alike. A device gets <c>topic write</c> only: it never reads vitals of others. The gateway gets
/// <c>topic read vitals/#</c>; mosquitto checks a shared subscription <c>$share/{group}/vitals/+/+</c> against the
/// filter after the share name (MQTT 5.0 §4.8.2: the share name is not part of the topic), so the same line serves fleet
/// mode (<c>Mqtt:SharedGroup</c>; ExternalBrokerTests prove it against mosquitto).
/// </remarks>
public sealed record MosquittoAuthFiles(string Passwords, string Acl, int Devices, IReadOnlyList<string> Skipped)
{
    /// <summary>mosquitto_passwd(1)'s own iteration count for <c>$7$</c> hashes, for a gateway hash made here.</summary>
    public const int DefaultIterations = 101;

    /// <summary>
    /// The two files for <paramref name="devices"/> and the gateway's account <paramref name="gatewayUser"/> with
    /// <paramref name="gatewayHash"/>. Throws <see cref="ArgumentException"/> for a gateway user that is not a valid
    /// mosquitto user name or that is also a device id (one account would then be two principals).
    /// </summary>
    public static MosquittoAuthFiles Create(IReadOnlyList<DeviceCredential> devices, string gatewayUser, MosquittoPasswordHash gatewayHash)
    {
        if (!IsUserName(gatewayUser))
            throw new ArgumentException($"gateway user '{gatewayUser}' must be non-empty, without ':', white space or control characters");
        if (devices.Any(d => d.DeviceId == gatewayUser))
            throw new ArgumentException($"gateway user '{gatewayUser}' is also a device id with credentials; give the gateway its own account");

        var passwords = new StringBuilder();
        var acl = new StringBuilder();
        acl.Append("# mosquitto acl_file written by 'Vitals.Gateway devices export-mosquitto' from the device registry;\n")
            .Append("# edits are lost at the next export. Each device publishes only under vitals/<its id>/.\n\n");
        passwords.Append(gatewayUser).Append(':').Append(gatewayHash).Append('\n');
        acl.Append("user ").Append(gatewayUser).Append("\ntopic read vitals/#\n");

        var skipped = new List<string>();
        var count = 0;
        foreach (var d in devices)
        {
            // A hash this gateway did not write (hand-edited store) would make mosquitto refuse the whole file.
            if (!IsUserName(d.DeviceId) || !VitalsTopic.IsValidDeviceId(d.DeviceId) || !MosquittoPasswordHash.TryParse(d.PasswordHash, out _))
            {
                skipped.Add(d.DeviceId);
                continue;
            }
            passwords.Append(d.DeviceId).Append(':').Append(d.PasswordHash).Append('\n');
            acl.Append("\nuser ").Append(d.DeviceId).Append("\ntopic write vitals/").Append(d.DeviceId).Append("/#\n");
            count++;
        }
        return new MosquittoAuthFiles(passwords.ToString(), acl.ToString(), count, skipped);
    }

    private static bool IsUserName(string name) =>
        name.Length > 0 && !name.Any(c => c == ':' || char.IsWhiteSpace(c) || char.IsControl(c));

    public override string ToString() => $"{Devices} device account(s), {Skipped.Count} skipped"; // never the hashes
}
