import ConsumerKit
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Exports the lag of the partitions a group member owns, every `interval`, as `kinfer_consumer_lag{group,topic,
/// partition}` and `kinfer_consumer_lag_sum{group,topic}`: the autoscaling signal.
///
/// Lag is read from the cluster (high watermark minus the group's committed offset, through ``KafkaAdmin``), not
/// from librdkafka's statistics: those stop refreshing the high watermark of paused partitions (librdkafka issue
/// #4996), and a worker pauses exactly when it is behind. Committed offsets trail the work by the worker's commit
/// interval, so jobs taken and not yet committed count as lag, as they do for KEDA's Kafka scaler.
///
/// Each member reports only what it owns, so summing over members gives the group's lag without double counting.
/// A partition that moves away is set to `0` here; its new owner reports it.
public final class ConsumerLagReporter: Service, Sendable {
    private struct Series {
        var partitions: [KafkaTopicPartition: Gauge] = [:]
        var topics: [String: Gauge] = [:]
    }
    private let admin: KafkaAdmin
    private let member: any ConsumerGroupMember
    private let interval: Duration
    private let timeout: Duration
    private let metricsFactory: any MetricsFactory
    private let series = Mutex(Series())
    private let logger: Logger

    /// - Parameters:
    ///   - admin: Reads watermarks and the group's committed offsets.
    ///   - member: Whose group and assignment to report.
    ///   - interval: Time between readings. Defaults to `5` seconds (Prometheus and KEDA poll every 15 s or so).
    ///   - timeout: Bound on each request to the cluster. Defaults to `5` seconds.
    ///   - metricsFactory: Where the gauges go. Defaults to the bootstrapped `MetricsSystem.factory`.
    public init(
        admin: KafkaAdmin,
        member: any ConsumerGroupMember,
        interval: Duration = .seconds(5),
        timeout: Duration = .seconds(5),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.lag")
    ) {
        self.admin = admin
        self.member = member
        self.interval = interval
        self.timeout = timeout
        self.metricsFactory = metricsFactory
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.reportOnce()
                } catch {
                    // The gauges keep their last values; readiness reports the broker itself.
                    self.logger.debug("lag not read: \(error)")
                }
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Reads the lag of the current assignment and sets the gauges.
    func reportOnce() async throws(KafkaError) {
        publish(try await admin.consumerLag(group: member.groupID, partitions: Array(member.assignment), timeout: timeout))
    }

    private func publish(_ lags: [KafkaPartitionLag]) {
        let group = member.groupID
        let factory = metricsFactory
        series.withLock { series in
            var sums: [String: Int64] = [:]
            let owned = Set(lags.map(\.partition))
            for (partition, gauge) in series.partitions where !owned.contains(partition) { gauge.record(0) }
            for lag in lags {
                let gauge = series.partitions[lag.partition] ?? Gauge(
                    label: "kinfer_consumer_lag",
                    dimensions: [("group", group), ("topic", lag.partition.topic), ("partition", "\(lag.partition.partition)")],
                    factory: factory
                )
                series.partitions[lag.partition] = gauge
                gauge.record(lag.lag)
                sums[lag.partition.topic, default: 0] += lag.lag
            }
            for topic in Set(series.topics.keys).union(sums.keys) {
                let gauge = series.topics[topic] ?? Gauge(
                    label: "kinfer_consumer_lag_sum", dimensions: [("group", group), ("topic", topic)], factory: factory
                )
                series.topics[topic] = gauge
                gauge.record(sums[topic] ?? 0)
            }
        }
    }
}
