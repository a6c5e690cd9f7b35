import Foundation
import ResultStore
import ResultsSink

/// A store in front of another that refuses, as a database refuses a row breaking a constraint, every write whose
/// batch holds a result for one of `refused` (non-retryably, ``ResultStoreError/Code-swift.struct/rejected``); other
/// writes go through. Records the size of every refused write, to show the sink narrowed its batches down.
final class RefusingStore: ResultStore {
    private let inner: any ResultStore
    private let refused: Set<String>

    /// - Parameters:
    ///   - inner: the store that does the work; run it elsewhere, this one's `run()` does nothing.
    ///   - refused: job IDs whose results the store refuses.
    init(_ inner: any ResultStore, refusing refused: Set<String>) {
        self.inner = inner
        self.refused = refused
    }

    /// The message every refusal carries, naming the job.
    static func reason(_ jobID: String) -> String {
        "new row for \(jobID) violates check constraint \"results_output_check\""
    }

    func write(_ batch: [StoredResult]) async throws -> WriteOutcome {
        if let offending = batch.first(where: { refused.contains($0.jobID) }) {
            throw ResultStoreError(code: .rejected, message: Self.reason(offending.jobID))
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
