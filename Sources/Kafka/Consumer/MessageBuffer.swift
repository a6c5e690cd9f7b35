import Dispatch
import Synchronization

/// The bounded hand-over from a consumer's poll thread to the one task reading its messages.
///
/// The poll thread appends whole batches; at the high watermark it stops taking messages from
/// librdkafka and waits for room (``waitForRoom(timeout:)``), and if the reader stays behind it pauses
/// fetching. The reader takes messages in batches; when it drains the buffer below the low
/// watermark, `wake` tells the poll thread to resume.
final class MessageBuffer: Sendable {
    /// Batches as the poll thread appended them. The reader is handed whole batches where they fit its
    /// limit, so most messages are never copied between the two threads (one array moved per batch).
    private struct State {
        var batches: [[KafkaConsumerMessage]] = []
        /// The first batch not yet fully taken, and how much of it was taken.
        var first = 0
        var taken = 0
        var count = 0
        var waiter: CheckedContinuation<[KafkaConsumerMessage]?, any Error>?
        var maxCount = 0
        var finished = false
        var failure: KafkaError?
        var roomWanted = false

        mutating func append(_ batch: [KafkaConsumerMessage]) {
            batches.append(batch)
            count += batch.count
        }

        /// Up to `limit` messages, as many as there are: whole batches are moved while they fit, and only the
        /// part of a batch that fills the rest is copied (a sink writes what it is handed as one transaction).
        mutating func take(_ limit: Int) -> [KafkaConsumerMessage] {
            var batch: [KafkaConsumerMessage] = []
            while batch.count < limit && first < batches.count {
                let wanted = limit - batch.count
                if taken == 0 && batches[first].count <= wanted {
                    if batch.isEmpty { batch = popFirst() } else { batch.append(contentsOf: popFirst()) }
                } else {
                    let end = min(batches[first].count, taken + wanted)
                    batch.append(contentsOf: batches[first][taken..<end])
                    taken = end
                    if taken == batches[first].count { _ = popFirst() }
                }
            }
            count -= batch.count
            return batch
        }

        /// Keeps only the messages `isIncluded` accepts.
        mutating func filter(_ isIncluded: (KafkaConsumerMessage) -> Bool) {
            var kept: [[KafkaConsumerMessage]] = []
            for index in first..<batches.count {
                let batch = batches[index][(index == first ? taken : 0)...].filter(isIncluded)
                if !batch.isEmpty { kept.append(batch) }
            }
            batches = kept
            first = 0
            taken = 0
            count = kept.reduce(0) { $0 + $1.count }
        }

        private mutating func popFirst() -> [KafkaConsumerMessage] {
            let batch = batches[first]
            batches[first] = []
            first += 1
            taken = 0
            if first == batches.count {
                batches.removeAll(keepingCapacity: true)
                first = 0
            } else if first >= 64 && first * 2 >= batches.count {
                batches.removeFirst(first)
                first = 0
            }
            return batch
        }
    }

    private let state = Mutex(State())
    let highWatermark: Int
    let lowWatermark: Int
    private let wake: @Sendable () -> Void
    private let room = DispatchSemaphore(value: 0)

    init(highWatermark: Int, wake: @escaping @Sendable () -> Void) {
        self.highWatermark = max(1, highWatermark)
        self.lowWatermark = max(0, highWatermark / 2)
        self.wake = wake
    }

    var count: Int { state.withLock { $0.count } }

    /// Blocks the poll thread until the reader takes the buffer below its high watermark, at most `timeout`.
    func waitForRoom(timeout: Duration) {
        let full = state.withLock { state in
            state.roomWanted = state.count >= highWatermark && !state.finished
            return state.roomWanted
        }
        guard full, room.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .timedOut else { return }
        // Timed out: withdraw the request, and absorb a signal that raced with the timeout.
        let signalled = state.withLock { state in
            defer { state.roomWanted = false }
            return !state.roomWanted
        }
        if signalled { room.wait() }
    }

    /// Adds messages from the poll thread; returns the number now buffered.
    func append(_ batch: [KafkaConsumerMessage]) -> Int {
        guard !batch.isEmpty else { return count }
        let (waiter, handed, count) = state.withLock { state -> (CheckedContinuation<[KafkaConsumerMessage]?, any Error>?, [KafkaConsumerMessage], Int) in
            state.append(batch)
            guard let waiter = state.waiter else { return (nil, [], state.count) }
            state.waiter = nil
            let handed = state.take(state.maxCount)
            return (waiter, handed, state.count)
        }
        waiter?.resume(returning: handed)
        return count
    }

    /// Drops buffered messages of partitions this consumer no longer owns; their next owner reads them again.
    func removeAll(in partitions: Set<KafkaTopicPartition>) {
        state.withLock { state in
            state.filter { !partitions.contains($0.topicPartition) }
        }
    }

    /// Ends the sequence: readers get the remaining messages, then `nil` (or `failure` thrown).
    func finish(failure: KafkaError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<[KafkaConsumerMessage]?, any Error>? in
            state.finished = true
            state.failure = failure
            if state.roomWanted {
                state.roomWanted = false
                room.signal()
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        if let failure { waiter?.resume(throwing: failure) } else { waiter?.resume(returning: nil) }
    }

    /// Up to `maxCount` messages, waiting for at least one; `nil` once finished and drained, or when the reading
    /// task is cancelled (messages still buffered stay for the next read).
    /// Runs in the caller's isolation (`actor`), so that taking buffered messages costs no executor hop.
    func next(maxCount: Int, isolation actor: isolated (any Actor)?) async throws(KafkaError) -> [KafkaConsumerMessage]? {
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation(isolation: actor) { continuation in
                    let outcome = state.withLock { state -> Result<[KafkaConsumerMessage]?, KafkaError>? in
                        precondition(state.waiter == nil, "a consumer's messages are read by one task at a time")
                        if state.count > 0 {
                            let wasAbove = state.count > lowWatermark
                            let batch = state.take(maxCount)
                            if wasAbove && state.count <= lowWatermark { wake() }
                            if state.roomWanted && state.count < highWatermark {
                                state.roomWanted = false
                                room.signal()
                            }
                            return .success(batch)
                        }
                        if state.finished {
                            return state.failure.map { .failure($0) } ?? .success(nil)
                        }
                        // Checked under the lock: a cancellation either is seen here or finds the waiter below.
                        if Task.isCancelled { return .success(nil) }
                        state.waiter = continuation
                        state.maxCount = maxCount
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome) }
                }
            } onCancel: {
                let waiter = state.withLock { state in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(returning: nil)
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}
