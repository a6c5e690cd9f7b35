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
    private let failures: Counter
    private let logger: Logger

    /// - Parameter takeCommittable: the offsets that advanced since it was last called (a ``CommitTracker``'s).
    public init(
        consumer: KafkaConsumer, failures: Counter, logger: Logger,
        takeCommittable: @escaping @Sendable () -> [KafkaTopicPartition: Int64]
    ) {
        self.consumer = consumer
        self.takeCommittable = takeCommittable
        self.failures = failures
        self.logger = logger
    }

    /// Stores what finished since the last call and commits it; `false` when the commit failed (counted and logged).
    @discardableResult
    public func commit() async -> Bool {
        let offsets = takeCommittable()
        guard !offsets.isEmpty else { return true }
        do {
            try consumer.storeOffsets(offsets)
            try await consumer.commit()
            return true
        } catch {
            failures.increment()
            logger.warning("offset commit failed; the next one covers these offsets: \(error)")
            return false
        }
    }
}
