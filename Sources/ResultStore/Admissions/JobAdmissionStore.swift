import Foundation
import Logging

/// What the HTTP gateway keeps in the results database besides the results: idempotency keys, and a pending row for
/// each job it accepted, so that any gateway instance answers for any job.
///
/// Pending rows live in a table of their own (`pending_jobs`), not in `inference_results`: the sink's insert stays
/// `ON CONFLICT (job_id) DO NOTHING` with exactly one result row per job, and "a result wins over a pending row" is a
/// property of ``jobRecord(for:)``, which reads the result first. See `docs/gateway.md`.
public protocol JobAdmissionStore: ResultStore {
    /// Claims `key` for a submission whose body hashes to `fingerprint`, in one transaction (see
    /// ``IdempotencyPolicy``).
    func claim(
        key: String,
        fingerprint: String,
        candidateJobID: String,
        policy: IdempotencyPolicy,
        now: Date
    ) async throws -> IdempotencyClaim

    /// Records that the broker acknowledged `jobID`: a pending row (unless the job has a result already) and, when
    /// the submission had a key, the key's record marked accepted. One transaction.
    func recordAccepted(jobID: String, key: String?, at date: Date) async throws

    /// Records jobs seen on the jobs topic as pending, whoever produced them: a pending row for each job that has
    /// neither a result nor a pending row yet. One transaction.
    ///
    /// - Returns: How many pending rows were added.
    func recordPending(_ jobs: [PendingJob]) async throws -> Int

    /// Marks the in-progress record of `key` as abandoned, so that a retry takes it over at once and produces the
    /// same job ID, instead of waiting out the produce timeout. For a produce that failed or timed out: the job may
    /// or may not be on the topic, and only the same job ID keeps a retry from making a second job.
    func abandon(key: String) async throws

    /// The job's result, or its pending row, or `nil` when the store has neither.
    func jobRecord(for jobID: String) async throws -> JobRecord?

    /// Deletes idempotency keys created before `keysCreatedBefore`, and pending rows accepted before
    /// `pendingAcceptedBefore` or whose job has a result.
    ///
    /// - Returns: How many rows were deleted, of both kinds.
    func deleteExpiredAdmissions(keysCreatedBefore: Date, pendingAcceptedBefore: Date) async throws -> Int
}

/// ``makeResultStore(url:logger:)`` for a user that also keeps admissions: the gateway.
public func makeJobAdmissionStore(url: String, logger: Logger) throws -> any JobAdmissionStore {
    switch try ResultStoreURL(url) {
    case .postgres(let configuration):
        PostgresResultStore(configuration: configuration, logger: logger)
    case .sqlite(let path):
        SQLiteResultStore(path: path, logger: logger)
    }
}
