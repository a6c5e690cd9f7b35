import ConsumerKit
import Kafka
import Metrics
import ResultStore

/// The sink's metrics, through swift-metrics only (the process chooses the backend: Prometheus for `kinfer`).
/// No labels but the dead letters' reason: one sink process writes one results topic into one database.
struct SinkMetrics: Sendable {
    /// Why the sink sent a result message to the results dead-letter topic: the `reason` label.
    enum DeadLetterReason: String, CaseIterable, Sendable {
        /// The message is not a result.
        case undecodable
        /// The database refused the result non-retryably (a constraint it breaks, a permission).
        case refused
    }

    let rowsWritten: Counter
    let storeRetries: Counter
    private let deadLetterCounters: [DeadLetterReason: Counter]
    let duplicatesAbsorbed: Counter
    let writeDuration: Timer
    let consumer: ConsumerMetrics

    init(factory: any MetricsFactory) {
        rowsWritten = Counter(label: "kinfer_sink_rows_written_total", factory: factory)
        duplicatesAbsorbed = Counter(label: "kinfer_sink_duplicates_absorbed_total", factory: factory)
        storeRetries = Counter(label: "kinfer_sink_store_retries_total", factory: factory)
        deadLetterCounters = Dictionary(uniqueKeysWithValues: DeadLetterReason.allCases.map { reason in
            (reason, Counter(label: "kinfer_sink_dead_letters_total", dimensions: [("reason", reason.rawValue)], factory: factory))
        })
        writeDuration = Timer(label: "kinfer_sink_write_duration_seconds", factory: factory)
        consumer = ConsumerMetrics(factory: factory)
    }

    /// Result messages dead-lettered for `reason`.
    func deadLetters(_ reason: DeadLetterReason) -> Counter {
        deadLetterCounters[reason]!
    }

    func recordWrite(_ outcome: WriteOutcome, duration: Duration) {
        rowsWritten.increment(by: outcome.inserted)
        duplicatesAbsorbed.increment(by: outcome.duplicatesAbsorbed)
        writeDuration.record(duration: duration)
    }
}

/// Counts the sink's assignments as rebalances; the sink has nothing to hand over on revoke (it commits after
/// every transaction).
final class SinkRebalanceListener: KafkaRebalanceListener {
    private let rebalances: Counter

    init(rebalances: Counter) {
        self.rebalances = rebalances
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) {
        rebalances.increment()
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {}
}
