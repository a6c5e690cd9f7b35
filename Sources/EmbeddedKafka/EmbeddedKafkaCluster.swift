import CRdKafka
import Kafka
import Logging

/// librdkafka's mock Kafka cluster, in this process: real Kafka protocol over real TCP ports.
///
/// Tests and the demo need no external broker. Known limits of librdkafka 2.0.2's mock: each
/// partition keeps at most 5 MiB or 100,000 batches (older data silently dropped); a rebalance takes
/// `session.timeout.ms` minus 1 s; no CreateTopics (use ``createTopic(_:partitions:replicationFactor:)``);
/// a metadata request for an unknown topic creates it with 4 partitions; transactions are not honoured.
public final class EmbeddedKafkaCluster: Sendable {
    private let handle: KafkaHandle
    private let cluster: ThreadSafePointer
    /// `host:port,...` of the brokers, for `bootstrap.servers`.
    public let bootstrapServers: String
    /// How many brokers the cluster has; broker IDs are `1...brokerCount`.
    public let brokerCount: Int

    /// Starts a cluster of `brokers` brokers on loopback ports chosen by librdkafka.
    public init(brokers: Int = 3, logger: Logger = Logger(label: "kinfer.kafka.embedded")) throws(KafkaError) {
        var configuration = KafkaConfiguration(bootstrapServers: [])
        configuration.properties["log_level"] = "3"
        handle = try KafkaHandle.bare(configuration: configuration, logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(handle.pointer, Int32(brokers)) else {
            throw KafkaError(code: .cluster, message: "could not start an embedded cluster of \(brokers) brokers")
        }
        self.cluster = ThreadSafePointer(pointer: cluster)
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster.pointer)
    }

    /// A producer configuration for this cluster: `acks=all`, idempotent, Nagle off (the mock needs it for low latency).
    public func producerConfiguration() -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: [bootstrapServers], properties: ["socket.nagle.disable": "true"])
        configuration.acks = .all
        configuration.idempotence = true
        configuration.linger = .milliseconds(2)
        return configuration
    }

    /// A consumer configuration for this cluster in `group`, reading from the earliest offset.
    /// Fetch waits are short because a waiting fetch on the mock is not woken by new data.
    public func consumerConfiguration(group: String, sessionTimeout: Duration? = nil) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(
            bootstrapServers: [bootstrapServers],
            properties: ["fetch.wait.max.ms": "10", "socket.nagle.disable": "true"]
        )
        configuration.groupID = group
        configuration.autoOffsetReset = .earliest
        configuration.sessionTimeout = sessionTimeout
        return configuration
    }

    /// A configuration for admin clients of this cluster.
    public func adminConfiguration() -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: [bootstrapServers], properties: ["socket.nagle.disable": "true"])
    }

    /// Creates a topic (the mock has no CreateTopics request).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaTopicName.validate(name)
        let err = rd_kafka_mock_topic_create(cluster.pointer, name, Int32(partitions), Int32(replicationFactor))
        try KafkaError.check(err, code: .cluster, context: "create topic \(name)")
    }

    /// Takes a broker down: its connections close and it refuses new ones until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster.pointer, broker), code: .cluster, context: "broker \(broker) down")
    }

    public func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster.pointer, broker), code: .cluster, context: "broker \(broker) up")
    }

    /// Delays every response of `broker` by `rtt`.
    public func setRoundTripTime(broker: Int32, _ rtt: Duration) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_rtt(cluster.pointer, broker, Int32(clamping: rtt.milliseconds))
        try KafkaError.check(err, code: .cluster, context: "broker \(broker) round-trip time")
    }

    /// Moves a partition's leadership to `broker`.
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_partition_set_leader(cluster.pointer, topic, partition, broker)
        try KafkaError.check(err, code: .cluster, context: "leader of \(topic)[\(partition)]")
    }

    /// Makes `broker` the coordinator of consumer group `group`, e.g. to keep it away from a broker a test takes down.
    public func setGroupCoordinator(_ group: String, broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_coordinator_set(cluster.pointer, "group", group, broker)
        try KafkaError.check(err, code: .cluster, context: "coordinator of group \(group)")
    }

    /// The next requests of kind `api` fail with `errors`, one error per request, in order.
    public func pushRequestErrors(_ api: KafkaAPI, _ errors: [KafkaResponseCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster.pointer, api.rawValue, codes.count, codes)
    }

    /// Topic-level error returned in metadata responses for `topic` until cleared with `.noError`.
    public func setTopicError(_ topic: String, _ error: KafkaResponseCode) {
        rd_kafka_mock_topic_set_error(cluster.pointer, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
    }
}

/// Kafka protocol request kinds, for fault injection.
public struct KafkaAPI: Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPI(rawValue: 0)
    public static let fetch = KafkaAPI(rawValue: 1)
    public static let listOffsets = KafkaAPI(rawValue: 2)
    public static let metadata = KafkaAPI(rawValue: 3)
    public static let offsetCommit = KafkaAPI(rawValue: 8)
    public static let offsetFetch = KafkaAPI(rawValue: 9)
    public static let findCoordinator = KafkaAPI(rawValue: 10)
    public static let joinGroup = KafkaAPI(rawValue: 11)
    public static let heartbeat = KafkaAPI(rawValue: 12)
    public static let syncGroup = KafkaAPI(rawValue: 14)
    public static let initProducerID = KafkaAPI(rawValue: 22)
}

/// Kafka protocol error codes, for fault injection.
public struct KafkaResponseCode: Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let noError = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_NO_ERROR.rawValue)
    public static let notLeaderForPartition = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    public static let leaderNotAvailable = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue)
    public static let requestTimedOut = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    public static let notEnoughReplicas = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    public static let notCoordinator = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue)
    public static let coordinatorNotAvailable = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue)
    public static let rebalanceInProgress = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue)
    public static let unknownTopicOrPartition = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue)
    /// An offset commit librdkafka does not retry, and that changes nothing in the group.
    public static let offsetMetadataTooLarge = KafkaResponseCode(rawValue: RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE.rawValue)
}
