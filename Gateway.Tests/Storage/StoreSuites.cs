using Vitals.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vitals.Gateway.Tests.Storage;

// One store test suite, run against both providers (issue 13): each abstract Store*Tests class holds the tests of
// the store interfaces' behaviour; a pair of one-line classes here runs it on a SQLite file and on a PostgreSQL
// database of the test run's cluster. Kept together in one file so a new suite gets both of its runs in one place.

public sealed class SqliteStoreOutboxTests() : StoreOutboxTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreOutboxTests(PostgresServer server) : StoreOutboxTests(new TempStore(server));

public sealed class SqliteStoreBindingTests() : StoreBindingTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreBindingTests(PostgresServer server) : StoreBindingTests(new TempStore(server));

public sealed class SqliteStoreRegistryTests() : StoreRegistryTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreRegistryTests(PostgresServer server) : StoreRegistryTests(new TempStore(server));

public sealed class SqliteStoreIngestTests(ITestOutputHelper output) : StoreIngestTests(new TempStore(), output);

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreIngestTests(PostgresServer server, ITestOutputHelper output) : StoreIngestTests(new TempStore(server), output);

public sealed class SqliteStoreLedgerTests() : StoreLedgerTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreLedgerTests(PostgresServer server) : StoreLedgerTests(new TempStore(server));

public sealed class SqliteStoreCredentialsTests() : StoreCredentialsTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreCredentialsTests(PostgresServer server) : StoreCredentialsTests(new TempStore(server));

public sealed class SqliteStoreDurabilityTests() : StoreDurabilityTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreDurabilityTests(PostgresServer server) : StoreDurabilityTests(new TempStore(server));

public sealed class SqliteStorePairingsTests() : StorePairingsTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorePairingsTests(PostgresServer server) : StorePairingsTests(new TempStore(server));

public sealed class SqliteStoreEnrolmentTests() : StoreEnrolmentTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreEnrolmentTests(PostgresServer server) : StoreEnrolmentTests(new TempStore(server));

public sealed class SqliteStoreDeviceInformationTests() : StoreDeviceInformationTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreDeviceInformationTests(PostgresServer server) : StoreDeviceInformationTests(new TempStore(server));

public sealed class SqliteStorePatientReadingsTests() : StorePatientReadingsTests(new TempStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorePatientReadingsTests(PostgresServer server) : StorePatientReadingsTests(new TempStore(server));
