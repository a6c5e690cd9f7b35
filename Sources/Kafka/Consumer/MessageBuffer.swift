import Dispatch
import Synchronization

/// The bounded hand-over from a consumer's poll thread to the one task reading its messages.
///
/// The poll thread appends whole batches; at the high watermark it stops taking messages from
/// librdkafka and waits for room (``waitForRoom(timeout:)``), and if the reader stays behind it pauses
/// fetching. The reader takes messages in batches; when it drains the buffer below the low
/// watermark, `wake` tells the poll thread to resume.
final class MessageBuffer: Sendable {
    private struct State {
        var messages: [KafkaConsumerMessage] = []
        var head = 0
        var waiter: CheckedContinuation<[KafkaConsumerMessage]?, any Error>?
        var maxCount = 0
        var finished = false
        var failure: KafkaError?
        var roomWanted = false
        var count: Int { messages.count - head }

        mutating func take(_ limit: Int) -> [KafkaConsumerMessage] {
            if head == 0 && limit >= messages.count {
                // Everything: hand the array over instead of copying it.
                defer { messages = [] }
                return messages
            }
            let end = min(messages.count, head + limit)
            let batch = Array(messages[head..<end])
            head = end
            if head == messages.count {
                messages.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 4096 && head * 2 > messages.count {
                messages.removeFirst(head)
                head = 0
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
            if state.count == 0 {
                state.messages = batch  // no copy: the buffer was empty
                state.head = 0
            } else {
                state.messages.append(contentsOf: batch)
            }
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
            let kept = state.messages[state.head...].filter { !partitions.contains($0.topicPartition) }
            state.messages = Array(kept)
            state.head = 0
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

    /// Up to `maxCount` messages, waiting for at least one; `nil` once finished and drained.
    func next(maxCount: Int) async throws(KafkaError) -> [KafkaConsumerMessage]? {
        do {
            return try await withCheckedThrowingContinuation { continuation in
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
                    state.waiter = continuation
                    state.maxCount = maxCount
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}
