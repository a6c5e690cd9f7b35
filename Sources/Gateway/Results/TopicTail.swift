import Kafka
import Logging

/// A reader of every partition of a topic from its end, with no group: how the gateway follows the results topic
/// and the stream topic, whose records any instance may want (the shared-reply-topic pattern).
///
/// The high watermarks are read first and the reader starts at them, rather than a unique group with
/// `auto.offset.reset=latest`: "latest" is resolved whenever the fetcher gets to it, so a record written between the
/// gateway listening and that moment would be skipped, and each restart would leave a dead group behind.
enum TopicTail {
    /// A ``KafkaPartitionReader`` on every partition of `topic` at its high watermark. Fails when the topic cannot be
    /// described within `timeout`.
    static func open(kafka: KafkaConfiguration, topic: String, timeout: Duration, logger: Logger) async throws -> KafkaPartitionReader {
        var configuration = kafka
        configuration.acks = nil
        configuration.idempotence = nil
        configuration.linger = nil
        configuration.compression = nil
        configuration.groupID = nil
        configuration.properties.removeValue(forKey: "message.timeout.ms")
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        guard let description = try await admin.describeTopics([topic], timeout: timeout).first, !description.partitions.isEmpty else {
            throw KafkaError(code: .admin, message: "the topic \(topic) does not exist")
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for partition in description.partitions {
            let topicPartition = KafkaTopicPartition(topic: topic, partition: partition.id)
            offsets[topicPartition] = try await admin.watermarks(of: topicPartition, timeout: timeout).high
        }
        return try KafkaPartitionReader(configuration: configuration, offsets: offsets, logger: logger)
    }
}
