import Foundation

/// librdkafka's statistics report (`statistics.interval.ms`), decoded into typed values.
///
/// Only the fields kinfer uses are decoded; see librdkafka's STATISTICS.md for the rest.
public struct KafkaStatistics: Sendable, Decodable {
    /// The handle's name, e.g. `rdkafka#consumer-1`.
    public var name: String
    /// `producer` or `consumer`.
    public var type: String
    /// Microseconds since the epoch when the report was made.
    public var time: Int64
    /// Messages waiting in the producer's local queue.
    public var queuedMessages: Int
    public var topics: [String: Topic]
    /// The consumer group's state, for consumers in a group.
    public var consumerGroup: ConsumerGroup?

    public struct Topic: Sendable, Decodable {
        public var topic: String
        public var partitions: [String: Partition]
    }

    public struct Partition: Sendable, Decodable {
        public var partition: Int32
        /// Partition high watermark as last fetched (`-1` when unknown).
        public var highWatermark: Int64
        /// The consumer's committed offset (`-1001` when none).
        public var committedOffset: Int64
        /// Stored offset waiting to be committed.
        public var storedOffset: Int64
        /// Messages between the committed offset and the high watermark (`-1` when unknown).
        /// librdkafka stops refreshing it for paused partitions (librdkafka issue #4996).
        public var consumerLag: Int64
        /// Whether the partition is currently assigned to this consumer ("none" otherwise).
        public var fetchState: String

        enum CodingKeys: String, CodingKey {
            case partition
            case highWatermark = "hi_offset"
            case committedOffset = "committed_offset"
            case storedOffset = "stored_offset"
            case consumerLag = "consumer_lag"
            case fetchState = "fetch_state"
        }
    }

    public struct ConsumerGroup: Sendable, Decodable {
        public var state: String
        public var joinState: String
        public var rebalanceCount: Int
        public var assignmentSize: Int

        enum CodingKeys: String, CodingKey {
            case state
            case joinState = "join_state"
            case rebalanceCount = "rebalance_cnt"
            case assignmentSize = "assignment_size"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, type, time, topics
        case queuedMessages = "msg_cnt"
        case consumerGroup = "cgrp"
    }

    /// Consumer lag of every partition this report knows a lag for (the internal `-1` partition excluded).
    public var consumerLag: [KafkaTopicPartition: Int64] {
        var lag: [KafkaTopicPartition: Int64] = [:]
        for topic in topics.values {
            for partition in topic.partitions.values where partition.partition >= 0 && partition.consumerLag >= 0 {
                lag[KafkaTopicPartition(topic: topic.topic, partition: partition.partition)] = partition.consumerLag
            }
        }
        return lag
    }

    public static func decode(_ json: Data) throws -> KafkaStatistics {
        try JSONDecoder().decode(KafkaStatistics.self, from: json)
    }
}
