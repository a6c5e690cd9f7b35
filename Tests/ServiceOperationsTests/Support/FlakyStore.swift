import Foundation
import ResultStore
import ResultsSink
import Synchronization

/// A store in front of another whose writes fail retryably (as while the database is away) until ``recover()``;
/// its probe keeps answering, as a database does whose writes time out on a lock.
final class FlakyStore: ResultStore {
    private let inner: any ResultStore
    private let failing = Atomic<Bool>(true)

    /// - Parameter inner: the store that does the work; run it elsewhere, this one's `run()` does nothing.
    init(_ inner: any ResultStore) {
        self.inner = inner
    }

    /// Lets every later write through.
    func recover() {
        failing.store(false, ordering: .relaxed)
    }

    func write(_ batch: [StoredResult]) async throws -> WriteOutcome {
        if failing.load(ordering: .relaxed) {
            throw ResultStoreError(code: .unavailable, message: "write timed out waiting for a lock")
        }
        return try await inner.write(batch)
    }

    func run() async {}
    func migrate() async throws { try await inner.migrate() }
    func result(for jobID: String) async throws -> StoredResult? { try await inner.result(for: jobID) }
    func deleteExpired(completedBefore cutoff: Date, batchSize: Int) async throws -> Int {
        try await inner.deleteExpired(completedBefore: cutoff, batchSize: batchSize)
    }
    func count() async throws -> Int { try await inner.count() }
    func isReachable() async -> Bool { await inner.isReachable() }
}
