import Foundation
import ResultStore
import ResultsSink
import Synchronization

/// A store in front of another that holds back every write touching one partition until ``release()``, and records
/// what the sink writes: which offsets are in the database, and whether a write started while another write of the
/// same partition was still in flight (which could let a later result for a job land before an earlier one).
final class GatedStore: ResultStore {
    private struct State {
        var released = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var inFlight: [Int: Set<Int32>] = [:]
        var nextWrite = 0
        var overlappingWrites = 0
        var written: [Int32: Set<Int64>] = [:]
    }

    private let inner: any ResultStore
    private let heldPartition: Int32
    private let state = Mutex(State())

    /// - Parameters:
    ///   - inner: the store that does the work; run it elsewhere, this one's `run()` does nothing.
    ///   - heldPartition: writes with a result of this partition wait at the gate until ``release()``.
    init(_ inner: any ResultStore, holding heldPartition: Int32) {
        self.inner = inner
        self.heldPartition = heldPartition
    }

    /// Writes waiting at the gate now.
    var heldWrites: Int { state.withLock { $0.waiting.count } }
    /// Writes that started while another write sharing a partition with them was in flight.
    var overlappingWrites: Int { state.withLock { $0.overlappingWrites } }

    /// One past the highest offset of `partition` below which every offset is in the database.
    func writtenPrefix(_ partition: Int32) -> Int64 {
        state.withLock { state in
            let offsets = state.written[partition] ?? []
            var prefix: Int64 = 0
            while offsets.contains(prefix) { prefix += 1 }
            return prefix
        }
    }

    /// Lets the held writes and every later one through.
    func release() {
        let waiting = state.withLock { state in
            state.released = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func write(_ batch: [StoredResult]) async throws -> WriteOutcome {
        let partitions = Set(batch.map(\.partition))
        let id = state.withLock { state in
            if state.inFlight.values.contains(where: { !$0.isDisjoint(with: partitions) }) { state.overlappingWrites += 1 }
            defer { state.nextWrite += 1 }
            state.inFlight[state.nextWrite] = partitions
            return state.nextWrite
        }
        defer { _ = state.withLock { $0.inFlight.removeValue(forKey: id) } }
        if partitions.contains(heldPartition) {
            await withCheckedContinuation { continuation in
                let passes = state.withLock { state in
                    if !state.released { state.waiting.append(continuation) }
                    return state.released
                }
                if passes { continuation.resume() }
            }
        }
        let outcome = try await inner.write(batch)
        state.withLock { state in
            for result in batch { state.written[result.partition, default: []].insert(result.offset) }
        }
        return outcome
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
