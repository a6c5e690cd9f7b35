import Foundation
import PostgresNIO

/// The gateway's admissions in PostgreSQL. A claim inserts the key if it is new; otherwise it locks the key's row
/// (`FOR UPDATE`) for the rest of its transaction, so gateways claiming one key at once are served one after the
/// other.
extension PostgresResultStore: JobAdmissionStore {
    public func claim(
        key: String,
        fingerprint: String,
        candidateJobID: String,
        policy: IdempotencyPolicy,
        now: Date
    ) async throws -> IdempotencyClaim {
        let nowStamp = PostgresTimestamp(unixMicroseconds: now.unixMicroseconds)
        return try await self.perform("claim of an idempotency key") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                let inserted = try await connection.query(
                    """
                    INSERT INTO idempotency_keys (key, fingerprint, job_id, state, created_at, updated_at)
                    VALUES (\(key), \(fingerprint), \(candidateJobID), 'in_progress', \(nowStamp), \(nowStamp))
                    ON CONFLICT (key) DO NOTHING RETURNING job_id
                    """,
                    logger: logger
                ).decode(String.self).first { _ in true }
                if let inserted { return IdempotencyClaim.produce(jobID: inserted) }

                var existing: IdempotencyRecord?
                let rows = try await connection.query(
                    """
                    SELECT fingerprint, job_id, state, created_at, updated_at FROM idempotency_keys
                    WHERE key = \(key) FOR UPDATE
                    """,
                    logger: logger
                )
                for try await (storedFingerprint, jobID, state, createdAt, updatedAt) in rows.decode(
                    (String, String, String, PostgresTimestamp, PostgresTimestamp).self
                ) {
                    guard let state = IdempotencyRecord.State(rawValue: state) else {
                        throw ResultStoreError.corruptRow("idempotency key with unknown state '\(state)'")
                    }
                    existing = IdempotencyRecord(
                        key: key, fingerprint: storedFingerprint, jobID: jobID, state: state,
                        createdAt: Date(unixMicroseconds: createdAt.unixMicroseconds),
                        updatedAt: Date(unixMicroseconds: updatedAt.unixMicroseconds)
                    )
                }
                let (claim, write) = policy.decide(
                    key: key, fingerprint: fingerprint, candidateJobID: candidateJobID, existing: existing, now: now
                )
                switch write {
                case .none:
                    break
                case .insert(let record):
                    let createdAt = PostgresTimestamp(unixMicroseconds: record.createdAt.unixMicroseconds)
                    let updatedAt = PostgresTimestamp(unixMicroseconds: record.updatedAt.unixMicroseconds)
                    try await connection.query(
                        """
                        INSERT INTO idempotency_keys (key, fingerprint, job_id, state, created_at, updated_at)
                        VALUES (\(record.key), \(record.fingerprint), \(record.jobID), \(record.state.rawValue), \(createdAt), \(updatedAt))
                        ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, job_id = EXCLUDED.job_id,
                            state = EXCLUDED.state, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
                        """,
                        logger: logger
                    )
                case .touch(let key, let updatedAt):
                    let updatedAt = PostgresTimestamp(unixMicroseconds: updatedAt.unixMicroseconds)
                    try await connection.query(
                        "UPDATE idempotency_keys SET updated_at = \(updatedAt) WHERE key = \(key)", logger: logger
                    )
                }
                return claim
            }
        }
    }

    public func recordAccepted(jobID: String, key: String?, at date: Date) async throws {
        let jobID = jobID.storable
        let stamp = PostgresTimestamp(unixMicroseconds: date.unixMicroseconds)
        try await self.perform("record of accepted job \(jobID)") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO pending_jobs (job_id, accepted_at)
                    SELECT \(jobID), \(stamp) WHERE NOT EXISTS (SELECT 1 FROM inference_results WHERE job_id = \(jobID))
                    ON CONFLICT (job_id) DO NOTHING
                    """,
                    logger: logger
                )
                if let key {
                    try await connection.query(
                        "UPDATE idempotency_keys SET state = 'accepted', updated_at = \(stamp) WHERE key = \(key)",
                        logger: logger
                    )
                }
            }
        }
    }

    public func recordPending(_ jobs: [PendingJob]) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        let ids = jobs.map(\.jobID.storable)
        let stamps = jobs.map { PostgresTimestamp(unixMicroseconds: $0.acceptedAt.unixMicroseconds) }
        return try await self.perform("record of \(jobs.count) pending jobs") { client, logger in
            let rows = try await client.query(
                """
                INSERT INTO pending_jobs (job_id, accepted_at)
                SELECT job.id, job.accepted_at FROM unnest(\(ids)::text[], \(stamps)::timestamptz[]) AS job(id, accepted_at)
                WHERE NOT EXISTS (SELECT 1 FROM inference_results WHERE job_id = job.id)
                ON CONFLICT (job_id) DO NOTHING RETURNING job_id
                """,
                logger: logger
            ).collect()
            return rows.count
        }
    }

    public func abandon(key: String) async throws {
        let epoch = PostgresTimestamp(unixMicroseconds: 0)
        try await self.perform("abandon of an idempotency key") { client, logger in
            _ = try await client.query(
                "UPDATE idempotency_keys SET updated_at = \(epoch) WHERE key = \(key) AND state = 'in_progress'",
                logger: logger
            ).collect()
        }
    }

    public func jobRecord(for jobID: String) async throws -> JobRecord? {
        if let result = try await self.result(for: jobID) { return .finished(result) }
        let storedID = jobID.storable
        let acceptedAt = try await self.perform("look-up of pending job \(storedID)") { client, logger in
            try await client.query("SELECT accepted_at FROM pending_jobs WHERE job_id = \(storedID)", logger: logger)
                .decode(PostgresTimestamp.self).first { _ in true }
        }
        guard let acceptedAt else { return nil }
        // The result may have landed between the two reads.
        if let result = try await self.result(for: jobID) { return .finished(result) }
        return .pending(acceptedAt: Date(unixMicroseconds: acceptedAt.unixMicroseconds))
    }

    public func deleteExpiredAdmissions(keysCreatedBefore: Date, pendingAcceptedBefore: Date) async throws -> Int {
        let keysCutoff = PostgresTimestamp(unixMicroseconds: keysCreatedBefore.unixMicroseconds)
        let pendingCutoff = PostgresTimestamp(unixMicroseconds: pendingAcceptedBefore.unixMicroseconds)
        return try await self.perform("retention delete of admissions") { client, logger in
            try await client.query(
                """
                WITH keys AS (DELETE FROM idempotency_keys WHERE created_at < \(keysCutoff) RETURNING 1),
                pending AS (
                    DELETE FROM pending_jobs WHERE accepted_at < \(pendingCutoff)
                        OR EXISTS (SELECT 1 FROM inference_results WHERE inference_results.job_id = pending_jobs.job_id)
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM keys) + (SELECT count(*) FROM pending)
                """,
                logger: logger
            ).decode(Int.self).first { _ in true } ?? 0
        }
    }
}
