using Microsoft.Extensions.DependencyInjection;
using Vitals.Gateway.Storage;
using Vitals.Gateway.Storage.Postgres;
using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>
/// The store's consumer-shaped interfaces over one database, as the gateway's container hands them out: what the
/// store tests are written against, so that another implementation (PostgreSQL) runs the same tests.
/// </summary>
public sealed class StoreSet(IServiceProvider services, IDisposable? owner = null) : IDisposable
{
    public IStoreInitializer Initializer { get; } = services.GetRequiredService<IStoreInitializer>();
    public IIngestCommit Ingest { get; } = services.GetRequiredService<IIngestCommit>();
    public IDeviceBindings Bindings { get; } = services.GetRequiredService<IDeviceBindings>();
    public IQuarantine Quarantine { get; } = services.GetRequiredService<IQuarantine>();
    public IPatientReadings PatientReadings { get; } = services.GetRequiredService<IPatientReadings>();
    public IRejectedMessages Rejected { get; } = services.GetRequiredService<IRejectedMessages>();
    public IOutbox Outbox { get; } = services.GetRequiredService<IOutbox>();
    public IStoreStatus Status { get; } = services.GetRequiredService<IStoreStatus>();
    public IDeadLetters DeadLetters { get; } = services.GetRequiredService<IDeadLetters>();
    public IDeliveryLedger Ledger { get; } = services.GetRequiredService<IDeliveryLedger>();
    public IPendingPairings Pairings { get; } = services.GetRequiredService<IPendingPairings>();
    public IDeviceCredentials Credentials { get; } = services.GetRequiredService<IDeviceCredentials>();
    public IEnrolmentCodes EnrolmentCodes { get; } = services.GetRequiredService<IEnrolmentCodes>();
    public IAdminPassword AdminPassword { get; } = services.GetRequiredService<IAdminPassword>();
    public IDeviceInformation DeviceInformation { get; } = services.GetRequiredService<IDeviceInformation>();
    public IGatewayIdentity GatewayIdentity { get; } = services.GetRequiredService<IGatewayIdentity>();

    /// <summary>The SQLite file behind the set (the SQLite-specific tests look at it).</summary>
    public string DatabasePath => services.GetRequiredService<SqliteDatabase>().DatabasePath;

    /// <summary>The PostgreSQL database behind the set (the lease tests look at its instance id).</summary>
    public PostgresDatabase Postgres => services.GetRequiredService<PostgresDatabase>();

    public Task InitializeAsync(CancellationToken ct) => Initializer.InitializeAsync(ct);

    public void Dispose() => owner?.Dispose();
}
