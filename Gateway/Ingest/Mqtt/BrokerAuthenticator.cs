using System.Security.Cryptography;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Ingest.Mqtt;

/// <summary>What a connected client may do: its rights follow from its role, a device's also from its name (its id).</summary>
internal enum BrokerRole
{
    /// <summary>Credentials are off (loopback): nobody is identified, so no device-specific rule can apply.</summary>
    Anonymous,
    Device,
    Operator,
}

internal sealed record BrokerPrincipal(BrokerRole Role, string Name)
{
    public static readonly BrokerPrincipal Anonymous = new(BrokerRole.Anonymous, "");
}

/// <summary>
/// Checks a CONNECT's user name and password (MQTT 3.1.1 §3.1.3.4-5, MQTT 5.0 §3.1.3.5-6) against the operators of
/// Mqtt:Operators and the devices' credentials in the store. Runs once per connection, never per publish.
/// </summary>
internal sealed class BrokerAuthenticator
{
    private readonly IDeviceCredentials _credentials;
    private readonly bool _required;
    private readonly Dictionary<string, MosquittoPasswordHash> _operators = new(StringComparer.Ordinal);
    // An unknown user name costs the same hash as a known one: the answer's timing must not tell which devices exist.
    private readonly MosquittoPasswordHash _decoy;
    // PBKDF2 is CPU-bound: a burst of (possibly hostile) CONNECTs gets a core each at most, not the whole thread pool.
    private readonly SemaphoreSlim _cpu = new(Environment.ProcessorCount);

    public BrokerAuthenticator(IDeviceCredentials credentials, MqttOptions options)
    {
        _credentials = credentials;
        _required = options.RequiresCredentials;
        foreach (var op in options.Operators)
            if (MosquittoPasswordHash.TryParse(op.PasswordHash, out var hash)) _operators[op.Username] = hash;
        _decoy = MosquittoPasswordHash.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), options.CredentialIterations);
    }

    public bool Required => _required;

    /// <summary>The principal the credentials prove, or null when they prove nothing.</summary>
    public async Task<BrokerPrincipal?> AuthenticateAsync(string? userName, string password, CancellationToken ct)
    {
        if (!_required) return BrokerPrincipal.Anonymous;
        if (string.IsNullOrEmpty(userName)) return null;

        MosquittoPasswordHash? hash = null;
        var role = BrokerRole.Operator;
        if (!_operators.TryGetValue(userName, out hash) && VitalsTopic.IsValidDeviceId(userName))
        {
            role = BrokerRole.Device;
            MosquittoPasswordHash.TryParse(await _credentials.FindHashAsync(userName, ct).ConfigureAwait(false), out hash);
        }

        await _cpu.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var verified = (hash ?? _decoy).Verify(password);
            return verified && hash is not null ? new BrokerPrincipal(role, userName) : null;
        }
        finally
        {
            _cpu.Release();
        }
    }
}
