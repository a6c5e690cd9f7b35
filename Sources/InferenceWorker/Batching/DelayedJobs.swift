import Foundation
import Kafka
import Synchronization

/// Retried jobs waiting for their not-before time, without holding up other jobs.
///
/// Each waits in its own child task of ``run()``; ``releaseAll()`` sends every waiting job on at
/// once, which shutdown uses so that waiting retries do not hold the drain (running early is harmless).
final class DelayedJobs: Sendable {
    private struct State {
        var waiting: [Int: PendingJob] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())
    private let timers: AsyncStream<(id: Int, due: Date)>
    private let schedule: AsyncStream<(id: Int, due: Date)>.Continuation
    private let release: @Sendable (PendingJob) -> Void

    /// - Parameter release: where a job goes when its time comes (its model's batch queue).
    init(release: @escaping @Sendable (PendingJob) -> Void) {
        (timers, schedule) = AsyncStream.makeStream()
        self.release = release
    }

    var count: Int { state.withLock { $0.waiting.count } }

    func hold(_ job: PendingJob, until due: Date) {
        let id = state.withLock { state in
            state.nextID += 1
            state.waiting[state.nextID] = job
            return state.nextID
        }
        schedule.yield((id, due))
    }

    /// Runs the timers until ``close()``.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await timer in timers {
                group.addTask {
                    let delay = timer.due.timeIntervalSinceNow
                    if delay > 0 { try? await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
                    self.releaseJob(timer.id)
                }
            }
            group.cancelAll()
        }
    }

    /// Drops waiting jobs of `partitions` (revoked); returns how many were dropped.
    func removeAll(in partitions: Set<KafkaTopicPartition>) -> Int {
        state.withLock { state in
            let dropped = state.waiting.filter { partitions.contains($0.value.message.topicPartition) }.map(\.key)
            for id in dropped { state.waiting[id] = nil }
            return dropped.count
        }
    }

    func releaseAll() {
        let jobs = state.withLock { state in
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for job in jobs { release(job) }
    }

    func close() {
        releaseAll()
        schedule.finish()
    }

    private func releaseJob(_ id: Int) {
        if let job = state.withLock({ $0.waiting.removeValue(forKey: id) }) { release(job) }
    }
}
