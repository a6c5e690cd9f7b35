import ConsumerKit
import Dispatch
import Kafka
import Synchronization

/// The jobs a worker holds: admission up to a limit, and the ledger of what may be committed.
///
/// Jobs finish on the producer's poll thread (when the broker acknowledges their last message),
/// so this is lock-based rather than an actor: finishing costs no task hop.
final class InFlightJobs: Sendable {
    private struct State {
        var tracker = CommitTracker()
        var admissionWaiter: (needed: Int, continuation: CheckedContinuation<Void, Never>)?
        /// Releases waiting for their partitions to go idle: an async one resumes its task, a blocking one signals its thread.
        var idleWaiters: [(id: Int, partitions: Set<KafkaTopicPartition>, abandoned: Int, wake: @Sendable () -> Void)] = []
        var nextWaiterID = 0
        /// Partitions being released or released; the reader may still hold messages of them.
        var revoked: Set<KafkaTopicPartition> = []
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var count: Int { state.withLock { $0.tracker.inFlight } }

    /// Waits for room (or for the task's cancellation), then records as taken as many of `messages` as fit (at least one), in order, and returns
    /// them with how many of `messages` were used up. Messages of revoked partitions are used up without being
    /// taken: the reader fetched them before the revoke, and their next owner runs them.
    /// Waiting for a few slots at a time, not for the whole batch, keeps the pipeline full.
    /// Called by the one task that reads the consumer.
    func admit(_ messages: ArraySlice<KafkaConsumerMessage>) async -> (admitted: [KafkaConsumerMessage], consumed: Int) {
        let wanted = min(messages.count, max(1, limit / 8))
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let admitted = state.withLock { state in
                    // A cancellation is either seen here or finds the waiter registered; cancelled, nothing fits.
                    guard state.tracker.inFlight + wanted > limit, let first = messages.first, !state.revoked.contains(first.topicPartition),
                        !Task.isCancelled
                    else { return true }
                    state.admissionWaiter = (wanted, continuation)
                    return false
                }
                if admitted { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.admissionWaiter = nil }
                return state.admissionWaiter?.continuation
            }?.resume()
        }
        return state.withLock { state in
            var admitted: [KafkaConsumerMessage] = []
            var consumed = 0
            for message in messages {
                if state.revoked.contains(message.topicPartition) {
                    consumed += 1
                } else if state.tracker.inFlight < limit {
                    state.tracker.taken(message.topicPartition, offset: message.offset)
                    admitted.append(message)
                    consumed += 1
                } else {
                    break
                }
            }
            return (admitted, consumed)
        }
    }

    /// Admits messages of `partitions` again: called with the consumer's assignment for each batch the reader
    /// takes, so a partition revoked while the reader held older messages of it stays shut for those.
    func reopen(_ partitions: Set<KafkaTopicPartition>) {
        state.withLock { state in
            guard !state.revoked.isEmpty else { return }
            state.revoked.subtract(partitions)
        }
    }

    /// Records a finished job and wakes whoever waits for room or for its partition to go idle.
    func finish(_ partition: KafkaTopicPartition, offset: Int64) {
        let (admission, idle) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [@Sendable () -> Void]) in
            guard state.tracker.finished(partition, offset: offset) else { return (nil, []) }
            var admission: CheckedContinuation<Void, Never>?
            if let waiter = state.admissionWaiter, state.tracker.inFlight + waiter.needed <= limit {
                state.admissionWaiter = nil
                admission = waiter.continuation
            }
            guard !state.idleWaiters.isEmpty else { return (admission, []) }
            let tracker = state.tracker
            let (idle, busy) = state.idleWaiters.partitioned { tracker.inFlight(in: $0.partitions) <= $0.abandoned }
            state.idleWaiters = busy
            return (admission, idle.map(\.wake))
        }
        admission?.resume()
        for wake in idle { wake() }
    }

    /// Offsets that advanced since the last call, to store and commit.
    func takeCommittable() -> [KafkaTopicPartition: Int64] {
        state.withLock { $0.tracker.takeCommittable() }
    }

    /// Waits until no job of `partitions` is in flight but the `abandoned` ones (dropped unstarted; they never finish),
    /// or `timeout` passes, or the task is cancelled; then returns their committable offsets and forgets them, so that the partitions'
    /// next owner takes over from exactly there. Abandoned jobs hold the committable offset back, so none is skipped.
    func release(_ partitions: Set<KafkaTopicPartition>, abandoned: Int = 0, within timeout: Duration) async -> [KafkaTopicPartition: Int64] {
        let id = beginRelease(partitions)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        await withDiscardingTaskGroup { group in
            group.addTask {
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                self.wakeIdleWaiter(id)
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    // The timer or a cancellation either is seen here (under the lock) or finds the waiter.
                    let waiting = waitForIdle(id, partitions, abandoned: abandoned, unless: ContinuousClock.now >= deadline || Task.isCancelled) {
                        continuation.resume()
                    }
                    if !waiting { continuation.resume() }
                }
            } onCancel: {
                self.wakeIdleWaiter(id)
            }
            group.cancelAll()
        }
        return endRelease(partitions)
    }

    /// ``release(_:abandoned:within:)`` for the consumer's poll thread, which a revoke runs on: blocks the calling
    /// thread until the partitions are idle or `timeout` passes.
    func releaseBlocking(_ partitions: Set<KafkaTopicPartition>, abandoned: Int, within timeout: Duration) -> [KafkaTopicPartition: Int64] {
        let id = beginRelease(partitions)
        let idle = DispatchSemaphore(value: 0)
        if waitForIdle(id, partitions, abandoned: abandoned, unless: false, wake: { idle.signal() }),
            idle.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .timedOut
        {
            wakeIdleWaiter(id)
        }
        return endRelease(partitions)
    }

    /// Shuts `partitions` to admission and lets a reader waiting for room drop its messages of them.
    private func beginRelease(_ partitions: Set<KafkaTopicPartition>) -> Int {
        let (id, reader) = state.withLock { state in
            state.nextWaiterID += 1
            state.revoked.formUnion(partitions)
            defer { state.admissionWaiter = nil }
            return (state.nextWaiterID, state.admissionWaiter?.continuation)
        }
        reader?.resume()
        return id
    }

    /// Registers `wake` to run once `partitions` hold no more than `abandoned` jobs; returns `false`, registering
    /// nothing, if they already do or `giveUp` holds.
    private func waitForIdle(
        _ id: Int, _ partitions: Set<KafkaTopicPartition>, abandoned: Int, unless giveUp: @autoclosure () -> Bool,
        wake: @escaping @Sendable () -> Void
    ) -> Bool {
        state.withLock { state in
            guard state.tracker.inFlight(in: partitions) > abandoned, !giveUp() else { return false }
            state.idleWaiters.append((id, partitions, abandoned, wake))
            return true
        }
    }

    /// Takes the committable offsets of `partitions` and forgets them.
    private func endRelease(_ partitions: Set<KafkaTopicPartition>) -> [KafkaTopicPartition: Int64] {
        let (offsets, admission) = state.withLock { state -> ([KafkaTopicPartition: Int64], CheckedContinuation<Void, Never>?) in
            let offsets = state.tracker.committable(in: partitions)
            state.tracker.forget(partitions)
            // Forgetting frees room: the reader may be waiting for it.
            guard let waiter = state.admissionWaiter, state.tracker.inFlight + waiter.needed <= limit else { return (offsets, nil) }
            state.admissionWaiter = nil
            return (offsets, waiter.continuation)
        }
        admission?.resume()
        return offsets
    }

    /// Whether a release waits for `partitions` to go idle: for tests.
    func isReleasing(_ partitions: Set<KafkaTopicPartition>) -> Bool {
        state.withLock { $0.idleWaiters.contains { $0.partitions == partitions } }
    }

    private func wakeIdleWaiter(_ id: Int) {
        let waiter = state.withLock { state -> (@Sendable () -> Void)? in
            guard let index = state.idleWaiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.idleWaiters.remove(at: index).wake
        }
        waiter?()
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the rest, each in order.
    func partitioned(by belongs: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
