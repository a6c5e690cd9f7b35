/// The SQLite schema, as numbered steps applied once each and recorded in `kinfer_schema_migrations`; the same
/// table and semantics as ``PostgresMigrations``.
///
/// Times are `INTEGER` microseconds since 1970-01-01 UTC (PostgreSQL's precision), which sort and compare like
/// the timestamps they stand for. `STRICT` makes SQLite refuse values of the wrong type, as PostgreSQL would.
/// Append new steps; never edit one that has shipped.
enum SQLiteMigrations {
    static let createLedger = """
        CREATE TABLE IF NOT EXISTS kinfer_schema_migrations (
            version     INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at  INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
        ) STRICT
        """

    static let all: [SchemaMigration] = [
        SchemaMigration(
            version: 1,
            description: "inference_results: one row per job",
            statements: [
                """
                CREATE TABLE inference_results (
                    job_id           TEXT PRIMARY KEY NOT NULL,
                    status           TEXT NOT NULL CHECK (status IN ('completed', 'failed', 'expired')),
                    label            TEXT,
                    confidence       REAL,
                    output           TEXT,
                    error_class      TEXT,
                    error_message    TEXT,
                    attempts         INTEGER NOT NULL,
                    model            TEXT NOT NULL,
                    model_version    TEXT NOT NULL,
                    worker           TEXT NOT NULL,
                    submitted_at     INTEGER NOT NULL,
                    started_at       INTEGER,
                    completed_at     INTEGER NOT NULL,
                    source_partition INTEGER NOT NULL,
                    source_offset    INTEGER NOT NULL,
                    written_at       INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
                ) STRICT
                """,
                "CREATE INDEX inference_results_completed_at ON inference_results (completed_at)",
            ]
        ),
        SchemaMigration(
            version: 2,
            description: "the gateway's admissions: idempotency keys and pending jobs",
            statements: [
                """
                CREATE TABLE idempotency_keys (
                    key         TEXT PRIMARY KEY NOT NULL,
                    fingerprint TEXT NOT NULL,
                    job_id      TEXT NOT NULL,
                    state       TEXT NOT NULL CHECK (state IN ('in_progress', 'accepted')),
                    created_at  INTEGER NOT NULL,
                    updated_at  INTEGER NOT NULL
                ) STRICT
                """,
                "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)",
                """
                CREATE TABLE pending_jobs (
                    job_id      TEXT PRIMARY KEY NOT NULL,
                    accepted_at INTEGER NOT NULL
                ) STRICT
                """,
                "CREATE INDEX pending_jobs_accepted_at ON pending_jobs (accepted_at)",
            ]
        ),
    ]
}
