import Kafka
import Logging
import Metrics

/// Stores and commits the offsets a consumer service has finished, for services that commit on a timer (the worker,
/// the notifier) and once more when they drain.
///
/// A failed commit loses nothing: the offsets stay stored, and the next commit covers them.
public struct FinishedOffsets: Sendable {
    private let consumer: KafkaConsumer
    private let takeCommittable: @Sendable () -> [KafkaTopicPartition: Int64]
    /// Counts, hands on and logs a failed commit. Holds no consumer: a background commit's answer never served (a
    /// commit racing the close) must not keep the consumer alive.
    private let recordFailure: @Sendable (any Error) -> Void

    /// - Parameters:
    ///   - takeCommittable: the offsets that advanced since it was last called (a ``CommitTracker``'s).
    ///   - onFailure: runs for each failed commit, after `failures` is incremented.
    public init(
        consumer: KafkaConsumer, failures: Counter, logger: Logger, onFailure: @escaping @Sendable () -> Void = {},
        takeCommittable: @escaping @Sendable () -> [KafkaTopicPartition: Int64]
    ) {
        self.consumer = consumer
        self.takeCommittable = takeCommittable
        self.recordFailure = { error in
            failures.increment()
            onFailure()
            logger.warning("offset commit failed; the next one covers these offsets: \(error)")
        }
    }

    /// Stores what finished since the last call and commits it without waiting for the broker: for the timer, which
    /// holds no thread for the answer. A failure is counted and logged when the answer comes.
    public func commitInBackground() {
        guard store() else { return }
        consumer.commitInBackground(onFailure: recordFailure)
    }

    /// Stores what finished since the last call and commits it, waiting for the broker's answer: for the last commit
    /// before the consumer closes. `false` when the commit failed (counted and logged).
    @discardableResult
    public func commit() async -> Bool {
        guard store() else { return true }
        do {
            try await consumer.commit()
            return true
        } catch {
            recordFailure(error)
            return false
        }
    }

    /// Stores the offsets that advanced; `false` when there were none (or storing failed, counted and logged).
    private func store() -> Bool {
        let offsets = takeCommittable()
        guard !offsets.isEmpty else { return false }
        do {
            try consumer.storeOffsets(offsets)
            return true
        } catch {
            recordFailure(error)
            return false
        }
    }
}
