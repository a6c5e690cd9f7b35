import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A ``ResultStore`` in PostgreSQL, over postgres-nio's connection pool.
///
/// The pool connects on demand and, while the server is away, keeps retrying with a growing backoff; each store
/// operation waits for it at most ``Configuration-swift.struct/operationTimeout`` and then fails with a retryable
/// ``ResultStoreError``. Once the server is back, the next attempt succeeds without any action from the caller.
///
/// - Important: Call `run()` exactly once, and keep it running while the store is used.
public final class PostgresResultStore: ResultStore {
    private let client: PostgresClient
    private let operationTimeout: Duration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        var clientConfiguration = configuration.client
        let timeoutMilliseconds = configuration.operationTimeout.components.seconds * 1000
            + configuration.operationTimeout.components.attoseconds / 1_000_000_000_000_000
        clientConfiguration.options.additionalStartupParameters += [
            ("statement_timeout", "\(timeoutMilliseconds)"),
            ("application_name", "kinfer"),
        ]
        self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.operationTimeout = configuration.operationTimeout
        self.logger = logger
    }

    /// Runs the connection pool until graceful shutdown or cancellation, then closes its connections.
    public func run() async {
        await self.client.run()
    }

    public func migrate() async throws {
        // Start-up work on a server that may itself be starting: a longer bound than one batch's.
        try await self.perform("migrate", within: max(self.operationTimeout, .seconds(60))) { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.advisoryLockKey))", logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: PostgresMigrations.createLedger), logger: logger)
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM kinfer_schema_migrations", logger: logger)
                    .decode(Int.self)
                {
                    applied.insert(version)
                }
                for migration in PostgresMigrations.all where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO kinfer_schema_migrations (version, description) VALUES (\(migration.version), \(migration.description))",
                        logger: logger
                    )
                    logger.info("applied schema migration", metadata: ["version": "\(migration.version)"])
                }
            }
        }
    }

    /// Stores the batch with `COPY` when none of its jobs has a row yet, the usual case; otherwise, or when `COPY`
    /// cannot carry a row, with the idempotent insert, which skips the jobs that have one.
    ///
    /// Either way the batch is one transaction, and `write` returns only after COMMIT has succeeded: the sink
    /// commits Kafka offsets next. (With an implicit transaction, postgres-nio completes a query at its command
    /// tag, before the commit, and a commit that fails, through a deferred constraint or the server going away,
    /// would go unseen.)
    public func write(_ batch: [StoredResult]) async throws -> WriteOutcome {
        let rows = batch.firstResultPerJob().map(ResultRow.init)
        guard !rows.isEmpty else { return WriteOutcome(inserted: 0, duplicatesAbsorbed: 0) }
        if let text = PostgresCopyRows.text(for: rows), try await self.copy(text, resultCount: batch.count) {
            return WriteOutcome(inserted: rows.count, duplicatesAbsorbed: batch.count - rows.count)
        }
        let inserted = try await self.insertSkippingStoredJobs(rows, resultCount: batch.count)
        return WriteOutcome(inserted: inserted, duplicatesAbsorbed: batch.count - inserted)
    }

    /// `COPY`s the rows in one transaction; `false`, with nothing stored, when one of the jobs already has a row.
    private func copy(_ text: ByteBuffer, resultCount: Int) async throws -> Bool {
        try await self.perform("copy of \(resultCount) results") { client, logger in
            do {
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.copyFrom(table: PostgresCopyRows.table, columns: PostgresCopyRows.columns, logger: logger) { writer in
                        try await writer.write(text)
                    }
                }
                return true
            } catch let error as PostgresTransactionError where error.rollbackError == nil && error.closureError.isUniqueViolation {
                return false
            }
        }
    }

    /// The idempotent insert (`PostgresBatchInsert`) in one transaction; returns how many rows it inserted.
    private func insertSkippingStoredJobs(_ rows: [ResultRow], resultCount: Int) async throws -> Int {
        let query = PostgresBatchInsert.query(for: rows)
        let tag = try await self.perform("write of \(resultCount) results") { client, logger in
            try await client.withTransaction(logger: logger) { connection -> PostgresQueryMetadata in
                let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
                return try await result.get().metadata
            }
        }
        guard let inserted = tag.rows else {
            throw ResultStoreError.rejected("write of \(resultCount) results: unexpected command tag \(tag.command)")
        }
        return inserted
    }

    public func result(for jobID: String) async throws -> StoredResult? {
        let jobID = jobID.storable  // as it was written (ResultRow)
        let row = try await self.perform("look-up of job \(jobID)") { client, logger -> ResultRow? in
            let rows = try await client.query(
                """
                SELECT job_id, status, output::text AS output, error_class, error_message, attempts, model, model_version,
                    worker, submitted_at, started_at, completed_at, source_partition, source_offset
                FROM inference_results WHERE job_id = \(jobID)
                """,
                logger: logger
            )
            for try await row in rows {
                return try Self.resultRow(row)
            }
            return nil
        }
        return try row?.storedResult()
    }

    public func deleteExpired(completedBefore cutoff: Date, batchSize: Int) async throws -> Int {
        precondition(batchSize > 0, "deleteExpired needs a positive batch size")
        let cutoff = PostgresTimestamp(unixMicroseconds: cutoff.unixMicroseconds)
        var total = 0
        while true {
            let deleted = try await self.perform("retention delete") { client, logger in
                try await client.query(
                    """
                    WITH deleted AS (
                        DELETE FROM inference_results WHERE job_id IN (
                            SELECT job_id FROM inference_results WHERE completed_at < \(cutoff)
                            ORDER BY completed_at LIMIT \(batchSize)
                        )
                        RETURNING 1
                    )
                    SELECT count(*) FROM deleted
                    """,
                    logger: logger
                ).decode(Int.self).first { _ in true } ?? 0
            }
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    public func count() async throws -> Int {
        try await self.perform("count") { client, logger in
            try await client.query("SELECT count(*) FROM inference_results", logger: logger)
                .decode(Int.self).first { _ in true } ?? 0
        }
    }

    public func isReachable() async -> Bool {
        do {
            try await self.perform("reachability check") { client, logger in
                _ = try await client.query("SELECT 1", logger: logger).collect()
            }
            return true
        } catch {
            return false
        }
    }

    private static func resultRow(_ row: PostgresRow) throws -> ResultRow {
        let row = row.makeRandomAccess()
        return ResultRow(
            jobID: try row["job_id"].decode(String.self),
            status: try row["status"].decode(String.self),
            outputJSON: try row["output"].decode(String?.self),
            errorClass: try row["error_class"].decode(String?.self),
            errorMessage: try row["error_message"].decode(String?.self),
            attempts: try row["attempts"].decode(Int.self),
            model: try row["model"].decode(String.self),
            modelVersion: try row["model_version"].decode(String.self),
            worker: try row["worker"].decode(String.self),
            submittedAt: try row["submitted_at"].decode(PostgresTimestamp.self).unixMicroseconds,
            startedAt: try row["started_at"].decode(PostgresTimestamp?.self)?.unixMicroseconds,
            completedAt: try row["completed_at"].decode(PostgresTimestamp.self).unixMicroseconds,
            sourcePartition: try row["source_partition"].decode(Int32.self),
            sourceOffset: try row["source_offset"].decode(Int64.self)
        )
    }

    /// Runs one store operation under the deadline, and turns whatever it throws into a ``ResultStoreError``.
    func perform<Value: Sendable>(
        _ operation: String,
        within timeout: Duration? = nil,
        _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Value
    ) async throws -> Value {
        do {
            return try await withDeadline(timeout ?? self.operationTimeout, operation) { [client, logger] in
                try await body(client, logger)
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ResultStoreError(postgres: error, during: operation)
        }
    }
}

extension Optional where Wrapped == any Error {
    /// Whether this is PostgreSQL's `unique_violation` (SQLSTATE 23505).
    fileprivate var isUniqueViolation: Bool {
        (self as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}
