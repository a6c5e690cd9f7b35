import Foundation
import ServiceLifecycle

/// The database the results sink writes to: exactly one row per job.
///
/// ## The first terminal result wins
/// A job's row, once written, is never changed. Kafka delivers at least once and a worker may publish a job's result
/// more than once (a retry racing a slow first attempt, a replay after a crash), so the store has to decide which
/// result counts. It keeps the first one it stores: a later result for the same job, even with different content,
/// is absorbed as a duplicate. Within one batch the result with the lowest offset counts as the first, since that
/// is the one Kafka delivered first; results for one job share a partition, because every message is keyed by job.
///
/// ## Lifecycle
/// A store is a `Service`. Its `run()` drives the store's background work (for PostgreSQL, the connection pool) and
/// must be running while the other methods are called. It returns on graceful shutdown or cancellation after
/// releasing the database; calls made after that throw ``ResultStoreError/Code-swift.struct/unavailable``.
/// Put the store ahead of its users in a `ServiceGroup`, so that shutdown, which runs in reverse order, stops them
/// first; or use ``withResultStore(url:logger:_:)`` for a store scoped to a closure.
///
/// ## Failures
/// Every method throws ``ResultStoreError``. When ``ResultStoreError/isRetryable`` is `true` the database could not
/// be reached in time and nothing is known to have changed; the caller pauses and retries the same batch, which the
/// first-result-wins rule makes safe even when the failed attempt did in fact commit.
public protocol ResultStore: Service {
    /// Creates the schema or brings it up to date; safe to call every start and from several processes at once.
    func migrate() async throws

    /// Stores a batch in one transaction.
    ///
    /// - Parameter batch: Results in the order they were consumed; may repeat a job, may be empty.
    /// - Returns: How many results became rows and how many were absorbed as duplicates.
    func write(_ batch: [StoredResult]) async throws -> WriteOutcome

    /// The stored result for a job, or `nil` when the job has no row (yet, or any longer).
    func result(for jobID: String) async throws -> StoredResult?

    /// Deletes the rows of jobs completed before `cutoff`, `batchSize` rows per transaction until none are left, so
    /// that retention never holds locks long enough to stall the sink's writes.
    ///
    /// - Returns: How many rows were deleted.
    func deleteExpired(completedBefore cutoff: Date, batchSize: Int) async throws -> Int

    /// How many rows the store holds.
    func count() async throws -> Int

    /// Whether the database answers a trivial query within the store's timeout; for readiness probes.
    func isReachable() async -> Bool
}
