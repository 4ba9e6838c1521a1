namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>The test classes that run against the test run's PostgreSQL cluster (<see cref="PostgresServer"/>), started once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
