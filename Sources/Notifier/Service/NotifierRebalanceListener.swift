import ConsumerKit
import Kafka
import Metrics
import Synchronization

/// Hands revoked partitions over: their finished offsets are stored for the commit the consumer makes before the
/// partitions move, and the rest is forgotten. Deliveries of them still running may finish; their next owner
/// delivers them again, which receivers absorb by `webhook-id`.
final class NotifierRebalanceListener: KafkaRebalanceListener {
    private struct WeakConsumer: @unchecked Sendable {
        weak var consumer: KafkaConsumer?
    }
    private let ledger: DeliveryLedger
    private let rebalances: Counter
    /// Weak: the consumer owns this listener.
    private let consumer = Mutex(WeakConsumer())

    init(ledger: DeliveryLedger, rebalances: Counter) {
        self.ledger = ledger
        self.rebalances = rebalances
    }

    func connect(_ consumer: KafkaConsumer) {
        self.consumer.withLock { $0.consumer = consumer }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) {
        self.rebalances.increment()
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        let revoked = Set(partitions)
        let offsets = self.ledger.tracker.withLock { ledger in
            defer { ledger.forget(revoked) }
            return ledger.committable(in: revoked)
        }
        try? self.consumer.withLock { $0.consumer }?.storeOffsets(offsets)
    }
}

/// The notifier's ``CommitTracker``, shared by the service and its rebalance listener.
final class DeliveryLedger: Sendable {
    let tracker = Mutex(CommitTracker())
}
