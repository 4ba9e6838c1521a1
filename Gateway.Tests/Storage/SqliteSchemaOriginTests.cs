using Vitals.Gateway.Storage;

using Vitals.Gateway.Storage.Sqlite;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>Version 3 of the schema: where a message came from is one text in its source's terms, also for old rows.</summary>
public sealed class SqliteSchemaOriginTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_version_2_file_keeps_its_rejected_messages_with_topic_and_client_as_their_origin()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_temp.DatabasePath)!);
        using (var v2 = _temp.OpenRaw())
        using (var cmd = v2.CreateCommand())
        {
            cmd.CommandText = SqliteSchema.CreateVersionTable + SqliteSchema.Migrations[0] + SqliteSchema.Migrations[1]
                + "INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00.0000000Z'), (2, '2026-02-01T00:00:00.0000000Z');"
                + "INSERT INTO rejected (received_at, topic, source, reason, payload) VALUES"
                + " ('2026-02-02T00:00:00.0000000Z', 'vitals/scale-1/body-weight', 'c1', '$.value: missing', x'7B7D'),"
                + " ('2026-02-02T00:00:01.0000000Z', 'vitals/C0:FF:EE:00:00:01/gatt/2a1c', 'ble', '0x2A1C byte 1: truncated', x'00');";
            cmd.ExecuteNonQuery();
        }

        using var store = await _temp.OpenAsync();
        var rejected = await store.Rejected.ListRejectedAsync(10, None);

        Assert.Equal(
            ["ble vitals/C0:FF:EE:00:00:01/gatt/2a1c", "mqtt vitals/scale-1/body-weight from client c1"],
            rejected.Select(r => r.Origin));
        using var check = _temp.OpenRaw();
        Assert.Equal(0, TempStore.ExecuteRaw(check, "SELECT count(*) FROM pragma_table_info('readings') WHERE name IN ('topic', 'source')"));
    }
}
