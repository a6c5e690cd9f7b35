import Kafka

/// `kinfer topics create`: the pipeline's topics that do not exist yet, created with Kafka's CreateTopics.
///
/// Two steps, so that the command can print what exists before it creates the rest: ``init(settings:)`` finds
/// which exist, ``createMissing(partitions:replicationFactor:)`` creates the others.
public struct TopicCreation: Sendable {
    /// The pipeline's topics that exist already, in the pipeline's order.
    public let existing: [String]
    /// The pipeline's topics still to create, in the pipeline's order.
    public let missing: [String]
    private let kafka: KafkaConfiguration
    private let streamTopic: String

    /// Asks the cluster which of the pipeline's topics (as `settings` name them) exist.
    public init(settings: KinferSettings) async throws(CLIError) {
        kafka = try settings.kafkaConfiguration()
        let wanted = settings.topics.all
        let found = Set(try await KafkaProbe.describe(kafka, topics: wanted).map(\.name))
        existing = wanted.filter { found.contains($0) }
        missing = wanted.filter { !found.contains($0) }
        streamTopic = settings.topics.stream
    }

    /// The retention a topic is created with when it is not the brokers' default: the stream topic keeps an hour.
    public func retention(of topic: String) -> Duration? {
        topic == streamTopic ? .seconds(3_600) : nil
    }

    /// Creates ``missing``, idempotently: running again is safe.
    public func createMissing(partitions: Int, replicationFactor: Int) async throws(CLIError) {
        guard !missing.isEmpty else { return }
        do {
            let admin = try KafkaAdmin(configuration: kafka, logger: CLILogging.silent)
            try await admin.createTopics(
                missing.map { name in
                    KafkaNewTopic(
                        name: name, partitions: partitions, replicationFactor: replicationFactor,
                        configs: name == streamTopic ? Self.streamTopicConfigs : [:]
                    )
                },
                timeout: Self.timeout
            )
        } catch {
            if Self.isUnsupported(error) {
                throw CLIError(
                    "this cluster does not support CreateTopics (the embedded cluster of `kinfer broker` does not)",
                    hint: "topics on the embedded cluster are created by `kinfer broker` at start (--partitions, --jobs-topic, ...)"
                )
            }
            throw CLIError("cannot create \(missing.joined(separator: ", ")): \(error.message)", hint: "check the partitions, the replication factor against the number of brokers, and the ACLs; running again is safe")
        }
    }

    /// The stream topic keeps an hour: readers follow it live or reconnect within seconds, and every job's whole
    /// text is in its result, so older tokens serve no one and would only take disk.
    static let streamTopicConfigs = ["retention.ms": "3600000"]

    /// How long creation may take. Short, because the embedded cluster never answers: librdkafka waits for a
    /// controller that supports CreateTopics until this passes. Creation is idempotent, so a rerun is safe.
    static let timeout: Duration = .seconds(8)

    /// How CreateTopics fails on a cluster without it: librdkafka finds no controller that supports the request
    /// (librdkafka's mock), or the API is reported unsupported.
    private static func isUnsupported(_ error: KafkaError) -> Bool {
        let text = error.message.lowercased()
        return text.contains("waiting for controller") || text.contains("unsupported") || text.contains("not supported")
    }
}
