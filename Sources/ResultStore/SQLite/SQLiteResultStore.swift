import Foundation
import Logging
import ServiceLifecycle
import SQLiteNIO

/// A ``ResultStore`` in one SQLite file, for a single sink instance on one machine.
///
/// The file is in WAL mode, so look-ups read while a batch is being written, with `synchronous=FULL` (see
/// ``SQLiteConnectionGate``). Each batch is one `BEGIN IMMEDIATE … COMMIT` transaction of multi-row inserts.
public final class SQLiteResultStore: ResultStore {
    /// How long a statement waits for another process's lock on the file before failing as unavailable.
    static let busyTimeoutMilliseconds = 5_000

    /// The most `?` parameters one statement may have: the default `SQLITE_MAX_VARIABLE_NUMBER` of SQLite since
    /// 3.32. sqlite-nio is built with a higher limit, but past a few thousand rows per statement nothing is gained.
    static let maximumParametersPerStatement = 32_766

    private static let columns = [
        "job_id", "status", "label", "confidence", "output", "error_class", "error_message", "attempts",
        "model", "model_version", "worker", "submitted_at", "started_at", "completed_at",
        "source_partition", "source_offset",
    ]

    private static let rowsPerInsert = maximumParametersPerStatement / columns.count

    private let gate: SQLiteConnectionGate
    private let path: String

    /// - Parameter path: The database file, created on first use if missing; its directory must exist.
    public init(path: String, logger: Logger) {
        self.gate = SQLiteConnectionGate(path: path, logger: logger)
        self.path = path
    }

    /// Waits for graceful shutdown or cancellation, then closes the file once the operation in progress ends.
    public func run() async {
        try? await gracefulShutdown()
        await self.gate.close()
    }

    public func migrate() async throws {
        try await self.perform("migrate") { connection in
            try await connection.inTransaction {
                _ = try await connection.query(SQLiteMigrations.createLedger)
                let applied = Set(
                    try await connection.query("SELECT version FROM kinfer_schema_migrations")
                        .compactMap { $0.column("version")?.integer }
                )
                for migration in SQLiteMigrations.all where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        _ = try await connection.query(statement)
                    }
                    _ = try await connection.query(
                        "INSERT INTO kinfer_schema_migrations (version, description) VALUES (?, ?)",
                        [.integer(migration.version), .text(migration.description)]
                    )
                }
            }
        }
    }

    public func write(_ batch: [StoredResult]) async throws -> WriteOutcome {
        let rows = batch.firstResultPerJob().map(ResultRow.init)
        guard !rows.isEmpty else { return WriteOutcome(inserted: 0, duplicatesAbsorbed: 0) }
        let inserted = try await self.perform("write of \(batch.count) results") { connection in
            try await connection.inTransaction {
                let changesBefore = try await connection.totalChanges()
                var start = rows.startIndex
                while start < rows.endIndex {
                    let chunk = rows[start..<min(start + Self.rowsPerInsert, rows.endIndex)]
                    _ = try await connection.query(Self.insertStatement(rows: chunk.count), chunk.flatMap(Self.binds))
                    start = chunk.endIndex
                }
                return try await connection.totalChanges() - changesBefore
            }
        }
        return WriteOutcome(inserted: inserted, duplicatesAbsorbed: batch.count - inserted)
    }

    public func result(for jobID: String) async throws -> StoredResult? {
        let jobID = jobID.storable  // as it was written (ResultRow)
        let rows = try await self.perform("look-up of job \(jobID)") { connection in
            try await connection.query(
                """
                SELECT job_id, status, output, error_class, error_message, attempts, model, model_version, worker,
                    submitted_at, started_at, completed_at, source_partition, source_offset
                FROM inference_results WHERE job_id = ?
                """,
                [.text(jobID)]
            )
        }
        return try rows.first.map { try Self.resultRow($0).storedResult() }
    }

    public func deleteExpired(completedBefore cutoff: Date, batchSize: Int) async throws -> Int {
        precondition(batchSize > 0, "deleteExpired needs a positive batch size")
        var total = 0
        while true {
            let deleted = try await self.perform("retention delete") { connection in
                _ = try await connection.query(
                    """
                    DELETE FROM inference_results WHERE job_id IN (
                        SELECT job_id FROM inference_results WHERE completed_at < ? ORDER BY completed_at LIMIT ?
                    )
                    """,
                    [.integer(Int(cutoff.unixMicroseconds)), .integer(batchSize)]
                )
                return try await connection.query("SELECT changes() AS changes").first?.column("changes")?.integer ?? 0
            }
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    public func count() async throws -> Int {
        try await self.perform("count") { connection in
            try await connection.query("SELECT count(*) AS n FROM inference_results").first?.column("n")?.integer ?? 0
        }
    }

    public func isReachable() async -> Bool {
        do {
            _ = try await self.perform("reachability check") { connection in
                try await connection.query("SELECT 1")
            }
            return true
        } catch {
            return false
        }
    }

    /// Runs one operation with the connection, and turns whatever it throws into a ``ResultStoreError``.
    func perform<Value: Sendable>(
        _ operation: String,
        _ body: @Sendable (SQLiteConnection) async throws -> Value
    ) async throws -> Value {
        do {
            return try await self.gate.withConnection(body)
        } catch {
            throw ResultStoreError(sqlite: error, during: "\(operation) in \(self.path)")
        }
    }

    /// ``perform(_:_:)`` in a transaction shared with other concurrent callers (group commit).
    func performShared<Value: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (SQLiteConnection) async throws -> Value
    ) async throws -> Value {
        do {
            return try await self.gate.inSharedTransaction(body)
        } catch {
            throw ResultStoreError(sqlite: error, during: "\(operation) in \(self.path)")
        }
    }

    private static func insertStatement(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return "INSERT INTO inference_results (\(columns.joined(separator: ", "))) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ",")
            + " ON CONFLICT (job_id) DO NOTHING"
    }

    /// The row's values in the order of ``columns``.
    private static func binds(_ row: ResultRow) -> [SQLiteData] {
        [
            .text(row.jobID), .text(row.status), row.label.map(SQLiteData.text) ?? .null,
            row.confidence.map(SQLiteData.float) ?? .null, row.outputJSON.map(SQLiteData.text) ?? .null,
            row.errorClass.map(SQLiteData.text) ?? .null, row.errorMessage.map(SQLiteData.text) ?? .null,
            .integer(row.attempts), .text(row.model), .text(row.modelVersion), .text(row.worker),
            .integer(Int(row.submittedAt)), row.startedAt.map { .integer(Int($0)) } ?? .null,
            .integer(Int(row.completedAt)), .integer(Int(row.sourcePartition)), .integer(Int(row.sourceOffset)),
        ]
    }

    private static func resultRow(_ row: SQLiteRow) throws -> ResultRow {
        func required<Value>(_ column: String, _ value: (SQLiteData) -> Value?) throws -> Value {
            guard let data = row.column(column), let value = value(data) else {
                throw ResultStoreError.corruptRow("a stored result has no readable \(column)")
            }
            return value
        }
        func optional<Value>(_ column: String, _ value: (SQLiteData) -> Value?) -> Value? {
            row.column(column).flatMap(value)
        }
        return ResultRow(
            jobID: try required("job_id", \.string),
            status: try required("status", \.string),
            outputJSON: optional("output", \.string),
            errorClass: optional("error_class", \.string),
            errorMessage: optional("error_message", \.string),
            attempts: try required("attempts", \.integer),
            model: try required("model", \.string),
            modelVersion: try required("model_version", \.string),
            worker: try required("worker", \.string),
            submittedAt: Int64(try required("submitted_at", \.integer)),
            startedAt: optional("started_at", \.integer).map(Int64.init),
            completedAt: Int64(try required("completed_at", \.integer)),
            sourcePartition: Int32(truncatingIfNeeded: try required("source_partition", \.integer)),
            sourceOffset: Int64(try required("source_offset", \.integer))
        )
    }
}
