import Kafka
import Synchronization

/// Jobs waiting for one model, handed out as batches, like a model server's dynamic batcher:
/// a full batch (`maxBatchSize`) leaves at once, a partial one when its oldest job has waited `maxBatchDelay`.
final class BatchQueue: Sendable {
    private struct State {
        var jobs: [PendingJob] = []
        var oldestArrival: ContinuousClock.Instant?
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = Mutex(State())
    private let maxBatchSize: Int
    private let maxBatchDelay: Duration

    init(maxBatchSize: Int, maxBatchDelay: Duration) {
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxBatchDelay = maxBatchDelay
    }

    var count: Int { state.withLock { $0.jobs.count } }

    func append(_ job: PendingJob) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.jobs.isEmpty { state.oldestArrival = .now }
            state.jobs.append(job)
            // The reader needs waking when the first job starts a delay, or when a batch is full.
            guard state.jobs.count == 1 || state.jobs.count >= maxBatchSize else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Drops queued jobs of `partitions` (revoked): their next owner runs them. Returns how many were dropped.
    func removeAll(in partitions: Set<KafkaTopicPartition>) -> Int {
        state.withLock { state in
            let before = state.jobs.count
            state.jobs.removeAll { partitions.contains($0.message.topicPartition) }
            if state.jobs.isEmpty { state.oldestArrival = nil }
            return before - state.jobs.count
        }
    }

    /// Hands out what is left, then `nil`, to the batch loop.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The next batch, or `nil` once closed and empty, or when the calling task is cancelled (what is queued stays
    /// uncommitted, for the partitions' next owner). Called by one task.
    func nextBatch() async -> [PendingJob]? {
        while !Task.isCancelled {
            enum Step { case batch([PendingJob]), end, wait(until: ContinuousClock.Instant?) }
            let step = state.withLock { state -> Step in
                if state.jobs.count >= maxBatchSize || (state.closed && !state.jobs.isEmpty) {
                    return .batch(take(&state))
                }
                if state.closed { return .end }
                guard let oldest = state.oldestArrival, !state.jobs.isEmpty else { return .wait(until: nil) }
                let due = oldest.advanced(by: maxBatchDelay)
                return ContinuousClock.now >= due ? .batch(take(&state)) : .wait(until: due)
            }
            switch step {
            case .batch(let batch): return batch
            case .end: return nil
            case .wait(let due): await wait(until: due)
            }
        }
        return nil
    }

    private func take(_ state: inout State) -> [PendingJob] {
        let count = min(maxBatchSize, state.jobs.count)
        let batch = Array(state.jobs.prefix(count))
        state.jobs.removeFirst(count)
        state.oldestArrival = state.jobs.isEmpty ? nil : .now
        return batch
    }

    /// Suspends until a job arrives, the batch fills, the queue closes, `due` passes, or the task is cancelled.
    private func wait(until due: ContinuousClock.Instant?) async {
        await withDiscardingTaskGroup { group in
            if let due {
                group.addTask {
                    guard (try? await Task.sleep(until: due, clock: .continuous)) != nil else { return }
                    self.wake()
                }
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        // Re-check under the lock: a job may have arrived, or the timer fired, since the caller
                        // looked; and a cancellation is either seen here or finds the waiter registered.
                        let ready = state.closed || state.jobs.count >= maxBatchSize || (due == nil && !state.jobs.isEmpty)
                            || due.map { ContinuousClock.now >= $0 } == true || Task.isCancelled
                        if !ready { state.waiter = continuation }
                        return ready
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                self.wake()
            }
            group.cancelAll()
        }
    }

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
