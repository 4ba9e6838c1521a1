namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// The SQLite store's schema, versioned in <c>schema_version</c> so that a later gateway can migrate a file written by
/// this one. <see cref="Migrations"/>[i] takes the schema from version i to i + 1: shipped steps are never edited,
/// later versions append steps.
/// </summary>
internal static class SqliteSchema
{
    // Reading states (readings.state). A reading moves quarantined -> queued -> delivered | dead, and dead -> queued
    // on replay; it is never deleted, so its identity keeps later resends recognisable as duplicates.
    public const string Quarantined = "quarantined";
    public const string Queued = "queued";

    public const string RejectedCounter = "rejected";

    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER NOT NULL PRIMARY KEY,
            applied_at TEXT    NOT NULL
        );
        """;

    private const string Version1 = """
        CREATE TABLE readings (
            id             INTEGER PRIMARY KEY,
            identity_key   TEXT    NOT NULL UNIQUE,
            device_id      TEXT    NOT NULL,
            kind           TEXT    NOT NULL,
            effective_time TEXT    NOT NULL,
            received_at    TEXT    NOT NULL,
            topic          TEXT    NOT NULL,
            source         TEXT    NOT NULL,
            payload        BLOB    NOT NULL,
            reading_json   TEXT    NOT NULL,
            patient        TEXT,
            state          TEXT    NOT NULL CHECK (state IN ('quarantined', 'queued', 'delivered', 'dead')),
            delivered_at   TEXT,
            server_ids     TEXT,
            -- Only a quarantined reading lacks a patient: every other state was reached through a binding.
            CHECK ((state = 'quarantined') = (patient IS NULL))
        );
        -- Quarantine is small next to the history: partial indexes keep its listing, counting and release cheap.
        CREATE INDEX ix_readings_quarantined ON readings (device_id, id) WHERE state = 'quarantined';
        CREATE INDEX ix_readings_quarantined_order ON readings (id) WHERE state = 'quarantined';

        -- AUTOINCREMENT: ids are handed to the delivery worker (in flight) and typed in the CLI, so a deleted id must
        -- never come back as another entry.
        CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            reading_id      INTEGER NOT NULL UNIQUE REFERENCES readings (id),
            effective_time  TEXT    NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT    NOT NULL,
            last_error      TEXT,
            enqueued_at     TEXT    NOT NULL
        );
        -- Delivery order; next_attempt_at rides along so that entries waiting for a retry are skipped in the index.
        CREATE INDEX ix_outbox_order ON outbox (effective_time, id, next_attempt_at);
        CREATE INDEX ix_outbox_next_attempt ON outbox (next_attempt_at);

        CREATE TABLE bindings (
            id         INTEGER PRIMARY KEY,
            device_id  TEXT NOT NULL,
            patient    TEXT NOT NULL,
            bound_at   TEXT NOT NULL,
            unbound_at TEXT
        );
        CREATE UNIQUE INDEX ux_bindings_current ON bindings (device_id) WHERE unbound_at IS NULL;
        CREATE INDEX ix_bindings_history ON bindings (device_id, bound_at);

        -- Per-device totals kept by the commit, so that listing devices does not scan every reading.
        CREATE TABLE devices (
            device_id  TEXT    NOT NULL PRIMARY KEY,
            first_seen TEXT,
            last_seen  TEXT,
            readings   INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;

        CREATE TABLE rejected (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            received_at TEXT NOT NULL,
            topic       TEXT NOT NULL,
            source      TEXT NOT NULL,
            reason      TEXT NOT NULL,
            payload     BLOB NOT NULL
        );

        CREATE TABLE dead_letters (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            reading_id  INTEGER NOT NULL UNIQUE REFERENCES readings (id),
            failed_at   TEXT    NOT NULL,
            attempts    INTEGER NOT NULL,
            reason      TEXT    NOT NULL,
            http_status INTEGER,
            request     TEXT,
            response    TEXT
        );

        -- Totals that only grow, for the status page: counting delivered readings would scan the whole history.
        CREATE TABLE counters (
            name  TEXT    NOT NULL PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO counters (name, value) VALUES ('delivered', 0), ('rejected', 0);
        """;

    // IF NOT EXISTS: a file that a development build already gave these objects migrates without failing.
    private const string Version2 = """
        -- The single-post profile's de-duplication ledger (EHRs without conditional create): an identifier the EHR
        -- acknowledged, or one whose POST went out with the outcome not yet known ('sending').
        CREATE TABLE IF NOT EXISTS delivery_ledger (
            resource_key TEXT NOT NULL PRIMARY KEY,
            state        TEXT NOT NULL CHECK (state IN ('sending', 'acknowledged')),
            server_id    TEXT,
            updated_at   TEXT NOT NULL
        ) WITHOUT ROWID;

        -- Per-device order: the outbox query looks for an earlier entry of the same device that is not due yet.
        CREATE INDEX IF NOT EXISTS ix_readings_queued_device ON readings (device_id, effective_time) WHERE state = 'queued';
        """;

    // Where a message came from, as one text in its source's own terms ("mqtt vitals/x/body-weight from client c1",
    // "ble C0:FF:EE:00:00:01 0x2A35") instead of a topic and a client id: a Bluetooth value has no topic. Rows written
    // before it keep their topic in that form; Bluetooth rows then carried the synthetic topic vitals/{address}/gatt/{uuid}.
    private const string Version3 = """
        ALTER TABLE readings RENAME COLUMN topic TO origin;
        UPDATE readings SET origin = CASE WHEN source = 'ble' THEN 'ble ' || origin ELSE 'mqtt ' || origin || ' from client ' || source END;
        ALTER TABLE readings DROP COLUMN source;
        ALTER TABLE rejected RENAME COLUMN topic TO origin;
        UPDATE rejected SET origin = CASE WHEN source = 'ble' THEN 'ble ' || origin ELSE 'mqtt ' || origin || ' from client ' || source END;
        ALTER TABLE rejected DROP COLUMN source;
        """;

    // Passkeys the CLI hands to the running worker (`devices pair`). Earlier builds created this table outside the
    // migrations, on first use: IF NOT EXISTS lets such a file migrate.
    private const string Version4 = """
        CREATE TABLE IF NOT EXISTS ble_pending_pairing (
            address    TEXT    NOT NULL PRIMARY KEY,
            passkey    INTEGER NOT NULL,
            created_at TEXT    NOT NULL
        );
        """;

    // MQTT credentials of devices: a mosquitto-form hash ($7$, PBKDF2-SHA512) per device id, never the secret.
    private const string Version5 = """
        CREATE TABLE mqtt_credentials (
            device_id     TEXT NOT NULL PRIMARY KEY,
            password_hash TEXT NOT NULL,
            issued_at     TEXT NOT NULL
        );
        """;

    // The status page's per-hour charts select readings by when they were received and delivered, and rejected
    // messages by when they were received: without these, every page view would scan the whole history.
    private const string Version6 = """
        CREATE INDEX IF NOT EXISTS ix_readings_received_at ON readings (received_at);
        CREATE INDEX IF NOT EXISTS ix_readings_delivered_at ON readings (delivered_at) WHERE delivered_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_rejected_received_at ON rejected (received_at);
        """;

    // A reading that failed alone with a server error while other readings went through (a poisoned reading) stops
    // holding its device's later readings: per-device order yields for that one reading (docs/reliability.md).
    private const string Version7 = """
        ALTER TABLE outbox ADD COLUMN isolated INTEGER NOT NULL DEFAULT 0;
        """;

    // The registry: a binding is (device, user index) -> patient with a validity period [bound_at, unbound_at). A
    // user index NULL is the slot of readings without one (a device without users, or a reading with the
    // "unknown user" value 0xFF of Blood Pressure Service 1.1 / Weight Scale Service 1.0). Existing bindings become
    // that slot, valid from bound_at to unbound_at. A reading keeps its user index in a column, so that quarantine
    // release and per-slot counts work in SQL. The look-up index serves the ingest commit's one query per slot.
    private const string Version8 = """
        ALTER TABLE bindings ADD COLUMN user_index INTEGER;
        DROP INDEX IF EXISTS ux_bindings_current;
        DROP INDEX IF EXISTS ix_bindings_history;
        CREATE UNIQUE INDEX ux_bindings_slot_current ON bindings (device_id, coalesce(user_index, -1)) WHERE unbound_at IS NULL;
        CREATE INDEX ix_bindings_slot ON bindings (device_id, user_index, bound_at);

        ALTER TABLE readings ADD COLUMN user_index INTEGER;
        UPDATE readings SET user_index = json_extract(reading_json, '$.userId') WHERE json_extract(reading_json, '$.userId') IS NOT NULL;
        """;

    // What each device says about itself (Device Information Service, MQTT `device` object, battery level), and the
    // store's own metadata: the gateway's generated identity (PHD IG PHG Device), made once per installation. IF NOT
    // EXISTS, as in versions 2 and 4: a file rolled back by hand to an earlier version migrates again without failing.
    private const string Version9 = """
        CREATE TABLE IF NOT EXISTS device_information (
            device_id       TEXT    NOT NULL PRIMARY KEY,
            manufacturer    TEXT,
            model           TEXT,
            serial          TEXT,
            firmware        TEXT,
            system_id       TEXT,
            battery_percent INTEGER,
            updated_at      TEXT    NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS store_metadata (
            name  TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """;

    // The pairing page: enrolment codes `patients enrol` prints (only a SHA-256 of each: a code is a bearer secret until
    // used or expired), and the admin password's PBKDF2 hash (`admin set-password`; one row).
    private const string Version10 = """
        CREATE TABLE IF NOT EXISTS enrolment_codes (
            code_hash  TEXT NOT NULL PRIMARY KEY,
            patient    TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at    TEXT
        );
        CREATE TABLE IF NOT EXISTS web_admin (
            id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            password_hash TEXT    NOT NULL,
            set_at        TEXT    NOT NULL
        );
        """;

    public static IReadOnlyList<string> Migrations { get; } =
        [Version1, Version2, Version3, Version4, Version5, Version6, Version7, Version8, Version9, Version10];

    public static int CurrentVersion => Migrations.Count;
}
