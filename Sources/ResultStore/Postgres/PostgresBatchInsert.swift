import PostgresNIO

/// The statement that stores a batch idempotently: one array parameter per column, turned back into rows by
/// `unnest`. The store uses it when `COPY` (`PostgresCopyRows`) cannot: a job of the batch already has a row.
///
/// Sixteen parameters whatever the batch size, so PostgreSQL parses one short statement and the rows travel in
/// binary, which is what makes tens of thousands of rows per second possible over a single connection. The
/// store runs it in a transaction of its own: all rows or none. It returns no rows: the command tag
/// (`INSERT 0 n`) counts the rows inserted, and every other row of the batch hit an existing job and was left
/// alone. (`RETURNING 1` counted through a CTE costs more server time per batch for the same number:
/// `docs/benchmarks.md`, "Measurements behind design choices".)
enum PostgresBatchInsert {
    static func query(for rows: [ResultRow]) -> PostgresQuery {
        let jobIDs = rows.map(\.jobID)
        let statuses = rows.map(\.status)
        let labels = PostgresNullableArray(rows.map(\.label))
        let confidences = PostgresNullableArray(rows.map(\.confidence))
        let outputs = PostgresNullableArray(rows.map(\.outputJSON))
        let errorClasses = PostgresNullableArray(rows.map(\.errorClass))
        let errorMessages = PostgresNullableArray(rows.map(\.errorMessage))
        let attempts = rows.map(\.attempts)
        let models = rows.map(\.model)
        let modelVersions = rows.map(\.modelVersion)
        let workers = rows.map(\.worker)
        let submittedAts = rows.map { PostgresTimestamp(unixMicroseconds: $0.submittedAt) }
        let startedAts = PostgresNullableArray(rows.map { $0.startedAt.map(PostgresTimestamp.init(unixMicroseconds:)) })
        let completedAts = rows.map { PostgresTimestamp(unixMicroseconds: $0.completedAt) }
        let partitions = rows.map(\.sourcePartition)
        let offsets = rows.map(\.sourceOffset)

        return """
            INSERT INTO inference_results (
                job_id, status, label, confidence, output, error_class, error_message, attempts,
                model, model_version, worker, submitted_at, started_at, completed_at,
                source_partition, source_offset
            )
            SELECT
                job_id, status, label, confidence, output::jsonb, error_class, error_message, attempts,
                model, model_version, worker, submitted_at, started_at, completed_at,
                source_partition, source_offset
            FROM unnest(
                \(jobIDs)::text[], \(statuses)::text[], \(labels)::text[], \(confidences)::float8[],
                \(outputs)::text[], \(errorClasses)::text[], \(errorMessages)::text[], \(attempts)::int8[],
                \(models)::text[], \(modelVersions)::text[], \(workers)::text[],
                \(submittedAts)::timestamptz[], \(startedAts)::timestamptz[], \(completedAts)::timestamptz[],
                \(partitions)::int4[], \(offsets)::int8[]
            ) AS batch (
                job_id, status, label, confidence, output, error_class, error_message, attempts,
                model, model_version, worker, submitted_at, started_at, completed_at,
                source_partition, source_offset
            )
            ON CONFLICT (job_id) DO NOTHING
            """
    }
}
