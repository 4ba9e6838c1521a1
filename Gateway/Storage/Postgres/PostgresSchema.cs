namespace Vitals.Gateway.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's schema, versioned in <c>schema_migrations</c> (version and SHA-256 of each applied step).
/// <see cref="Migrations"/>[i] takes the schema from version i to i + 1: shipped steps are never edited (their
/// checksums are checked at start-up), later versions append steps. The tables mirror the SQLite store's; instants
/// are <c>timestamptz</c> (microseconds), ids identity columns that never hand out a deleted id again.
/// </summary>
internal static class PostgresSchema
{
    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     NOT NULL PRIMARY KEY,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL
        );
        """;

    private const string Version1 = """
        CREATE TABLE readings (
            id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            identity_key   text        NOT NULL,
            device_id      text        NOT NULL,
            kind           text        NOT NULL,
            effective_time timestamptz NOT NULL,
            received_at    timestamptz NOT NULL,
            origin         text        NOT NULL,
            payload        bytea       NOT NULL,
            reading_json   text        NOT NULL,
            patient        text,
            state          text        NOT NULL CHECK (state IN ('quarantined', 'queued', 'delivered', 'dead')),
            delivered_at   timestamptz,
            server_ids     text,
            -- Only a quarantined reading lacks a patient: every other state was reached through a binding.
            CHECK ((state = 'quarantined') = (patient IS NULL))
        );
        -- The reading's identity: a resend (a broker's redelivery, a hub's replay) is recognised, on any instance.
        CREATE UNIQUE INDEX ux_readings_identity ON readings (identity_key);
        CREATE INDEX ix_readings_quarantined ON readings (device_id, id) WHERE state = 'quarantined';

        -- device_id is copied from the reading: the claim checks a device's other entries (order, leases) on this
        -- table alone. lease_owner/lease_until: which instance claimed the entry, and until when (a crashed
        -- instance's claims return when the lease ends).
        CREATE TABLE outbox (
            id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            reading_id      bigint      NOT NULL UNIQUE REFERENCES readings (id),
            device_id       text        NOT NULL,
            effective_time  timestamptz NOT NULL,
            attempts        integer     NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            last_error      text,
            enqueued_at     timestamptz NOT NULL,
            lease_owner     text,
            lease_until     timestamptz
        );
        CREATE INDEX ix_outbox_order ON outbox (effective_time, id);
        CREATE INDEX ix_outbox_device ON outbox (device_id, effective_time, id);
        CREATE INDEX ix_outbox_next_attempt ON outbox (next_attempt_at);
        CREATE INDEX ix_outbox_leased ON outbox (device_id) WHERE lease_owner IS NOT NULL;

        CREATE TABLE bindings (
            id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            device_id  text        NOT NULL,
            patient    text        NOT NULL,
            bound_at   timestamptz NOT NULL,
            unbound_at timestamptz
        );
        CREATE UNIQUE INDEX ux_bindings_current ON bindings (device_id) WHERE unbound_at IS NULL;
        CREATE INDEX ix_bindings_history ON bindings (device_id, bound_at);

        -- Per-device totals kept by the commit; its row is also the device's lock between a commit and a bind.
        CREATE TABLE devices (
            device_id  text        NOT NULL PRIMARY KEY,
            first_seen timestamptz,
            last_seen  timestamptz,
            readings   bigint      NOT NULL DEFAULT 0
        );

        CREATE TABLE rejected (
            id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            received_at timestamptz NOT NULL,
            origin      text        NOT NULL,
            reason      text        NOT NULL,
            payload     bytea       NOT NULL
        );

        CREATE TABLE dead_letters (
            id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            reading_id  bigint      NOT NULL UNIQUE REFERENCES readings (id),
            failed_at   timestamptz NOT NULL,
            attempts    integer     NOT NULL,
            reason      text        NOT NULL,
            http_status integer,
            request     text,
            response    text
        );

        CREATE TABLE counters (
            name  text   NOT NULL PRIMARY KEY,
            value bigint NOT NULL
        );
        INSERT INTO counters (name, value) VALUES ('delivered', 0), ('rejected', 0);

        CREATE TABLE delivery_ledger (
            resource_key text        NOT NULL PRIMARY KEY,
            state        text        NOT NULL CHECK (state IN ('sending', 'acknowledged')),
            server_id    text,
            updated_at   timestamptz NOT NULL
        );

        CREATE TABLE ble_pending_pairing (
            address    text        NOT NULL PRIMARY KEY,
            passkey    bigint      NOT NULL,
            created_at timestamptz NOT NULL
        );

        CREATE TABLE mqtt_credentials (
            device_id     text        NOT NULL PRIMARY KEY,
            password_hash text        NOT NULL,
            issued_at     timestamptz NOT NULL
        );
        """;

    // The status page's per-hour charts select readings by when they were received and delivered, and rejected
    // messages by when they were received (SQLite schema version 6 adds the same indexes).
    private const string Version2 = """
        CREATE INDEX ix_readings_received_at ON readings (received_at);
        CREATE INDEX ix_readings_delivered_at ON readings (delivered_at) WHERE delivered_at IS NOT NULL;
        CREATE INDEX ix_rejected_received_at ON rejected (received_at);
        """;

    // A reading that failed alone with a server error while other readings went through (a poisoned reading) stops
    // holding its device's later readings (SQLite schema version 7; docs/reliability.md).
    private const string Version3 = """
        ALTER TABLE outbox ADD COLUMN isolated boolean NOT NULL DEFAULT false;
        """;

    // The registry (SQLite schema version 8): a binding is (device, user index) -> patient valid over
    // [bound_at, unbound_at); user_index NULL is the slot of readings without a user index. Existing bindings become
    // that slot. Readings keep their user index for quarantine release and per-slot counts.
    private const string Version4 = """
        ALTER TABLE bindings ADD COLUMN user_index integer;
        DROP INDEX IF EXISTS ux_bindings_current;
        DROP INDEX IF EXISTS ix_bindings_history;
        CREATE UNIQUE INDEX ux_bindings_slot_current ON bindings (device_id, coalesce(user_index, -1)) WHERE unbound_at IS NULL;
        CREATE INDEX ix_bindings_slot ON bindings (device_id, user_index, bound_at);

        ALTER TABLE readings ADD COLUMN user_index integer;
        UPDATE readings SET user_index = (reading_json::jsonb ->> 'userId')::integer WHERE reading_json::jsonb ->> 'userId' IS NOT NULL;
        """;

    // What each device says about itself, and the store's metadata (the gateway's identity): SQLite schema version 9.
    private const string Version5 = """
        CREATE TABLE IF NOT EXISTS device_information (
            device_id       text        NOT NULL PRIMARY KEY,
            manufacturer    text,
            model           text,
            serial          text,
            firmware        text,
            system_id       text,
            battery_percent integer,
            updated_at      timestamptz NOT NULL
        );

        CREATE TABLE IF NOT EXISTS store_metadata (
            name  text NOT NULL PRIMARY KEY,
            value text NOT NULL
        );
        """;

    // The pairing page: enrolment codes (SHA-256 of each) and the admin password's PBKDF2 hash (SQLite schema version 10).
    private const string Version6 = """
        CREATE TABLE enrolment_codes (
            code_hash  text        NOT NULL PRIMARY KEY,
            patient    text        NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at    timestamptz
        );
        CREATE TABLE web_admin (
            id            integer     NOT NULL PRIMARY KEY CHECK (id = 1),
            password_hash text        NOT NULL,
            set_at        timestamptz NOT NULL
        );
        """;

    public static IReadOnlyList<string> Migrations { get; } = [Version1, Version2, Version3, Version4, Version5, Version6];

    public static int CurrentVersion => Migrations.Count;

    /// <summary>
    /// The session-level advisory lock held while migrating, so that instances starting at once migrate one after the
    /// other (PostgreSQL docs "Advisory Locks"); the second finds the work done. Any constant: "vitals-gw" as bytes.
    /// </summary>
    public const long MigrationLock = 0x7669_7461_6c73_6777;

    /// <summary>The first key of the transaction-level advisory locks that serialise claims per device (see PostgresOutbox).</summary>
    public const int DeviceClaimLockSpace = 0x7663_6c6d;
}
