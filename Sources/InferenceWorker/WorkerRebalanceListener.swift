import Kafka
import Synchronization

/// On revoke, lets in-flight jobs of the revoked partitions finish (bounded), then stores their
/// committable offsets, which the consumer commits before the partitions move.
final class WorkerRebalanceListener: KafkaRebalanceListener {
    private struct WeakConsumer: @unchecked Sendable {
        weak var consumer: KafkaConsumer?
    }
    private let inFlight: InFlightJobs
    private let drainTimeout: Duration
    /// Weak: the consumer owns this listener.
    private let consumer = Mutex(WeakConsumer())
    private let rebalanceCount = Atomic<Int>(0)

    init(inFlight: InFlightJobs, drainTimeout: Duration) {
        self.inFlight = inFlight
        self.drainTimeout = drainTimeout
    }

    var rebalances: Int { rebalanceCount.load(ordering: .relaxed) }

    func connect(_ consumer: KafkaConsumer) {
        self.consumer.withLock { $0.consumer = consumer }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) async {
        rebalanceCount.add(1, ordering: .relaxed)
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) async {
        let offsets = await inFlight.release(Set(partitions), within: drainTimeout)
        try? consumer.withLock { $0.consumer }?.storeOffsets(offsets)
    }
}
