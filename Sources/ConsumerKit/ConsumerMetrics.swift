import Kafka
import Metrics

/// The series every consumer-group service (worker, sink, notifier) reports under the same names, so that one
/// dashboard and one set of alerts covers them all. Each service keeps its own series beside these.
///
/// The gauges start at `0` and are levels read where they live: ``sample(consumer:producer:)`` once a second.
public struct ConsumerMetrics: Sendable {
    /// `kinfer_commit_failures_total`: offset commits that failed (the next one retries).
    public let commitFailures: Counter
    /// `kinfer_messages_given_up_total`: messages the broker refused even in their stand-in form (a dead letter
    /// without its value, a short `failed` result), given up so that the partition keeps committing.
    public let messagesGivenUp: Counter
    /// `kinfer_rebalances_total`: assignments this member received.
    public let rebalances: Counter
    /// `kinfer_partitions_assigned`.
    public let assignedPartitions: Gauge
    /// `kinfer_partitions_paused`: by back-pressure or during shutdown.
    public let pausedPartitions: Gauge
    /// `kinfer_producer_queue_messages`: produced and not yet acknowledged (results, retries, dead letters).
    public let producerQueue: Gauge

    public init(factory: any MetricsFactory) {
        commitFailures = Counter(label: "kinfer_commit_failures_total", factory: factory)
        messagesGivenUp = Counter(label: "kinfer_messages_given_up_total", factory: factory)
        rebalances = Counter(label: "kinfer_rebalances_total", factory: factory)
        assignedPartitions = Gauge(label: "kinfer_partitions_assigned", factory: factory)
        pausedPartitions = Gauge(label: "kinfer_partitions_paused", factory: factory)
        producerQueue = Gauge(label: "kinfer_producer_queue_messages", factory: factory)
        for gauge in [assignedPartitions, pausedPartitions, producerQueue] { gauge.record(0) }
    }

    /// Records the levels of `consumer` and `producer` now.
    public func sample(consumer: KafkaConsumer, producer: KafkaProducer) {
        assignedPartitions.record(consumer.assignment.count)
        pausedPartitions.record(consumer.pausedPartitionCount)
        producerQueue.record(producer.queuedMessageCount)
    }
}
