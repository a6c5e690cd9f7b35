import Kafka
import Metrics
import Synchronization

/// Hands revoked partitions over cleanly: queued jobs not yet started are abandoned (their next owner
/// runs them, once), running ones may finish (bounded), and the committable offsets are stored for the
/// commit the consumer makes before the partitions move.
final class WorkerRebalanceListener: KafkaRebalanceListener {
    private struct WeakConsumer: @unchecked Sendable {
        weak var consumer: KafkaConsumer?
    }
    private let inFlight: InFlightJobs
    private let drainTimeout: Duration
    private let abandonQueued: @Sendable (Set<KafkaTopicPartition>) -> Int
    /// Weak: the consumer owns this listener.
    private let consumer = Mutex(WeakConsumer())
    private let rebalanceCount = Atomic<Int>(0)
    private let rebalanceCounter: Counter

    init(inFlight: InFlightJobs, drainTimeout: Duration, rebalanceCounter: Counter, abandonQueued: @escaping @Sendable (Set<KafkaTopicPartition>) -> Int) {
        self.inFlight = inFlight
        self.rebalanceCounter = rebalanceCounter
        self.drainTimeout = drainTimeout
        self.abandonQueued = abandonQueued
    }

    var rebalances: Int { rebalanceCount.load(ordering: .relaxed) }

    func connect(_ consumer: KafkaConsumer) {
        self.consumer.withLock { $0.consumer = consumer }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) {
        rebalanceCount.add(1, ordering: .relaxed)
        rebalanceCounter.increment()
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        let revoked = Set(partitions)
        let abandoned = abandonQueued(revoked)
        let offsets = inFlight.releaseBlocking(revoked, abandoned: abandoned, within: drainTimeout)
        try? consumer.withLock { $0.consumer }?.storeOffsets(offsets)
    }
}
