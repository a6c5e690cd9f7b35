import Kafka
import Synchronization

/// Counts down the messages one job's outcome needs: the broker's last acknowledgement finishes the job, so that
/// its offset may be committed.
///
/// A message the broker refuses for itself (too large) is replaced by others (``expect(_:)``), and the outcome is
/// then a different one (``markReplaced()``): a dead letter and a `failed` result instead of a result or a retry.
final class OutcomeAcknowledgement: Sendable {
    private let remaining: Atomic<Int>
    private let replaced = Atomic<Bool>(false)
    private let partition: KafkaTopicPartition
    private let offset: Int64
    private let inFlight: InFlightJobs
    private let outcome: OutcomeRecord

    init(messages: Int, source: KafkaConsumerMessage, inFlight: InFlightJobs, outcome: OutcomeRecord) {
        remaining = Atomic(messages)
        partition = source.topicPartition
        offset = source.offset
        self.inFlight = inFlight
        self.outcome = outcome
    }

    /// Counts `count` more messages; called before the message they replace is given up, so the count never reaches 0 early.
    func expect(_ count: Int) {
        remaining.add(count, ordering: .relaxed)
    }

    /// Records that the job's result or retry was replaced by a dead letter and a `failed` result.
    func markReplaced() {
        replaced.store(true, ordering: .relaxed)
    }

    /// One message acknowledged (or given up); the last one finishes the job.
    func acknowledgeOne() {
        guard remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        outcome.record(replaced: replaced.load(ordering: .relaxed))
        inFlight.finish(partition, offset: offset)
    }
}
