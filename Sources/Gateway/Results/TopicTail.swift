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
        var configuration = kafka.withoutProducerSettings()
        configuration.groupID = nil
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        guard let description = try await admin.describeTopics([topic], timeout: timeout).first, !description.partitions.isEmpty else {
            throw KafkaError(code: .admin, message: "the topic \(topic) does not exist")
        }
        let partitions = description.partitions.map { KafkaTopicPartition(topic: topic, partition: $0.id) }
        let offsets = try await admin.watermarks(of: partitions, timeout: timeout).mapValues(\.high)
        return try KafkaPartitionReader(configuration: configuration, offsets: offsets, logger: logger)
    }
}
