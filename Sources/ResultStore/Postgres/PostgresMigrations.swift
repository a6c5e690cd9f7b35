/// The PostgreSQL schema, as numbered steps applied once each and recorded in `kinfer_schema_migrations`.
///
/// Append new steps; never edit one that has shipped, since databases that already applied it will not see the
/// change.
enum PostgresMigrations {
    /// The key of the transaction-scoped advisory lock that serialises concurrent `migrate()` calls, even across
    /// processes: the ASCII of "kinfer" followed by 1.
    static let advisoryLockKey: Int64 = 0x6b_696e_6665_7201

    static let createLedger = """
        CREATE TABLE IF NOT EXISTS kinfer_schema_migrations (
            version     integer PRIMARY KEY,
            description text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        )
        """

    static let all: [SchemaMigration] = [
        SchemaMigration(
            version: 1,
            description: "inference_results: one row per job",
            statements: [
                """
                CREATE TABLE inference_results (
                    job_id           text PRIMARY KEY,
                    status           text NOT NULL CHECK (status IN ('completed', 'failed', 'expired')),
                    label            text,
                    confidence       double precision,
                    output           jsonb,
                    error_class      text,
                    error_message    text,
                    attempts         bigint NOT NULL,
                    model            text NOT NULL,
                    model_version    text NOT NULL,
                    worker           text NOT NULL,
                    submitted_at     timestamptz NOT NULL,
                    started_at       timestamptz,
                    completed_at     timestamptz NOT NULL,
                    source_partition integer NOT NULL,
                    source_offset    bigint NOT NULL,
                    written_at       timestamptz NOT NULL DEFAULT now()
                )
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
                    key         text PRIMARY KEY,
                    fingerprint text NOT NULL,
                    job_id      text NOT NULL,
                    state       text NOT NULL CHECK (state IN ('in_progress', 'accepted')),
                    created_at  timestamptz NOT NULL,
                    updated_at  timestamptz NOT NULL
                )
                """,
                "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)",
                """
                CREATE TABLE pending_jobs (
                    job_id      text PRIMARY KEY,
                    accepted_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX pending_jobs_accepted_at ON pending_jobs (accepted_at)",
            ]
        ),
    ]
}
