/// A topic as the cluster's metadata describes it.
public struct KafkaTopicDescription: Sendable, Hashable {
    public struct Partition: Sendable, Hashable {
        public var id: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var inSyncReplicas: [Int32]
    }
    public var name: String
    public var partitions: [Partition]
}

/// A topic to create.
public struct KafkaNewTopic: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic configs such as `retention.ms` or `min.insync.replicas`.
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// A consumer group's lag on one partition: messages written but not yet committed by the group.
public struct KafkaPartitionLag: Sendable, Hashable {
    public var partition: KafkaTopicPartition
    public var lowWatermark: Int64
    public var highWatermark: Int64
    /// The group's committed offset, or `nil` when it has none.
    public var committed: Int64?
    /// `highWatermark - committed`, or everything retained when nothing is committed.
    public var lag: Int64 {
        max(0, highWatermark - (committed ?? lowWatermark))
    }
}
