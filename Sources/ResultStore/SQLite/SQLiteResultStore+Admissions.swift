import Foundation
import SQLiteNIO

/// The gateway's admissions in the SQLite file. Claims and accepted jobs are written in shared transactions (group
/// commit, ``SQLiteConnectionGate/inSharedTransaction(_:)``): the requests that arrive while the connection is busy
/// are written together, each in a savepoint of its own, and made durable by one `COMMIT`. The savepoints run one
/// after the other, so concurrent claims on a key are still decided one at a time.
extension SQLiteResultStore: JobAdmissionStore {
    public func claim(
        key: String,
        fingerprint: String,
        candidateJobID: String,
        policy: IdempotencyPolicy,
        now: Date
    ) async throws -> IdempotencyClaim {
        try await self.performShared("claim of an idempotency key") { connection in
            let existing = try await connection.query(
                "SELECT fingerprint, job_id, state, created_at, updated_at FROM idempotency_keys WHERE key = ?",
                [.text(key)]
            ).first.map { try Self.idempotencyRecord(key: key, $0) }
            let (claim, write) = policy.decide(
                key: key, fingerprint: fingerprint, candidateJobID: candidateJobID, existing: existing, now: now
            )
            switch write {
            case .none:
                break
            case .insert(let record):
                _ = try await connection.query(
                    """
                    INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, job_id, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(record.key), .text(record.fingerprint), .text(record.jobID), .text(record.state.rawValue),
                        .integer(Int(record.createdAt.unixMicroseconds)), .integer(Int(record.updatedAt.unixMicroseconds)),
                    ]
                )
            case .touch(let key, let updatedAt):
                _ = try await connection.query(
                    "UPDATE idempotency_keys SET updated_at = ? WHERE key = ?",
                    [.integer(Int(updatedAt.unixMicroseconds)), .text(key)]
                )
            }
            return claim
        }
    }

    public func recordAccepted(jobID: String, key: String?, at date: Date) async throws {
        let jobID = jobID.storable
        try await self.performShared("record of accepted job \(jobID)") { connection in
            _ = try await connection.query(
                """
                INSERT INTO pending_jobs (job_id, accepted_at)
                SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM inference_results WHERE job_id = ?)
                ON CONFLICT (job_id) DO NOTHING
                """,
                [.text(jobID), .integer(Int(date.unixMicroseconds)), .text(jobID)]
            )
            if let key {
                _ = try await connection.query(
                    "UPDATE idempotency_keys SET state = 'accepted', updated_at = ? WHERE key = ?",
                    [.integer(Int(date.unixMicroseconds)), .text(key)]
                )
            }
        }
    }

    public func recordPending(_ jobs: [PendingJob]) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        return try await self.perform("record of \(jobs.count) pending jobs") { connection in
            try await connection.inTransaction {
                let changesBefore = try await connection.totalChanges()
                var start = jobs.startIndex
                while start < jobs.endIndex {
                    let chunk = jobs[start..<min(start + Self.pendingRowsPerInsert, jobs.endIndex)]
                    _ = try await connection.query(
                        Self.recordPendingStatement(rows: chunk.count),
                        chunk.flatMap { job in [.text(job.jobID.storable), .integer(Int(job.acceptedAt.unixMicroseconds))] }
                    )
                    start = chunk.endIndex
                }
                return try await connection.totalChanges() - changesBefore
            }
        }
    }

    private static let pendingRowsPerInsert = maximumParametersPerStatement / 2

    /// One statement for many rows: each statement is a hop to the thread SQLite runs on, which costs more than the row.
    private static func recordPendingStatement(rows: Int) -> String {
        """
        INSERT INTO pending_jobs (job_id, accepted_at)
        SELECT job.column1, job.column2 FROM (VALUES \(Array(repeating: "(?, ?)", count: rows).joined(separator: ", "))) AS job
        WHERE NOT EXISTS (SELECT 1 FROM inference_results WHERE inference_results.job_id = job.column1)
        ON CONFLICT (job_id) DO NOTHING
        """
    }

    public func abandon(key: String) async throws {
        try await self.perform("abandon of an idempotency key") { connection in
            _ = try await connection.query(
                "UPDATE idempotency_keys SET updated_at = 0 WHERE key = ? AND state = 'in_progress'", [.text(key)]
            )
        }
    }

    public func jobRecord(for jobID: String) async throws -> JobRecord? {
        if let result = try await self.result(for: jobID) { return .finished(result) }
        let jobID = jobID.storable
        let acceptedAt = try await self.perform("look-up of pending job \(jobID)") { connection in
            try await connection.query("SELECT accepted_at FROM pending_jobs WHERE job_id = ?", [.text(jobID)])
                .first?.column("accepted_at")?.integer
        }
        guard let acceptedAt else { return nil }
        // The result may have landed between the two reads.
        if let result = try await self.result(for: jobID) { return .finished(result) }
        return .pending(acceptedAt: Date(unixMicroseconds: Int64(acceptedAt)))
    }

    public func deleteExpiredAdmissions(keysCreatedBefore: Date, pendingAcceptedBefore: Date) async throws -> Int {
        try await self.perform("retention delete of admissions") { connection in
            try await connection.inTransaction {
                let before = try await connection.totalChanges()
                _ = try await connection.query(
                    "DELETE FROM idempotency_keys WHERE created_at < ?", [.integer(Int(keysCreatedBefore.unixMicroseconds))]
                )
                _ = try await connection.query(
                    """
                    DELETE FROM pending_jobs WHERE accepted_at < ?
                        OR EXISTS (SELECT 1 FROM inference_results WHERE inference_results.job_id = pending_jobs.job_id)
                    """,
                    [.integer(Int(pendingAcceptedBefore.unixMicroseconds))]
                )
                return try await connection.totalChanges() - before
            }
        }
    }

    private static func idempotencyRecord(key: String, _ row: SQLiteRow) throws -> IdempotencyRecord {
        guard
            let fingerprint = row.column("fingerprint")?.string,
            let jobID = row.column("job_id")?.string,
            let state = row.column("state")?.string.flatMap(IdempotencyRecord.State.init(rawValue:)),
            let createdAt = row.column("created_at")?.integer,
            let updatedAt = row.column("updated_at")?.integer
        else {
            throw ResultStoreError.corruptRow("the idempotency key record is unreadable")
        }
        return IdempotencyRecord(
            key: key, fingerprint: fingerprint, jobID: jobID, state: state,
            createdAt: Date(unixMicroseconds: Int64(createdAt)), updatedAt: Date(unixMicroseconds: Int64(updatedAt))
        )
    }
}
