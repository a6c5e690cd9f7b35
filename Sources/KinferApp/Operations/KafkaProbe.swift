import Kafka

/// A bounded first contact with the cluster, so that a wrong address or a dead cluster fails in seconds with one
/// clear line instead of librdkafka retrying forever. Public for the commands that talk to Kafka directly
/// (`submit`, `lag`).
public enum KafkaProbe {
    /// Describes `topics` (or all topics) within `timeout`, or throws a ``CLIError`` naming the brokers.
    @discardableResult
    static func describe(
        _ configuration: KafkaConfiguration,
        topics: [String]? = nil,
        timeout: Duration = .seconds(5)
    ) async throws(CLIError) -> [KafkaTopicDescription] {
        let servers = configuration.bootstrapServers.joined(separator: ",")
        do {
            let admin = try KafkaAdmin(configuration: configuration, logger: CLILogging.silent)
            return try await admin.describeTopics(topics, timeout: timeout)
        } catch {
            throw CLIError(
                "cannot reach Kafka at \(servers) within \(timeout) (\(error.message))",
                hint: "check --bootstrap-servers or KINFER_BOOTSTRAP_SERVERS, that the brokers are up, and the security properties"
            )
        }
    }

    /// Like ``describe(_:topics:timeout:)``, and fails when one of `topics` does not exist.
    @discardableResult
    public static func requireTopics(_ configuration: KafkaConfiguration, _ topics: [String]) async throws(CLIError) -> [KafkaTopicDescription] {
        let found = try await describe(configuration, topics: topics)
        let missing = topics.filter { name in !found.contains { $0.name == name } }
        guard missing.isEmpty else {
            throw CLIError(
                "topic \(missing.joined(separator: ", ")) does not exist on \(configuration.bootstrapServers.joined(separator: ","))",
                hint: "create the pipeline's topics with `kinfer topics create`, or name others with the topic flags"
            )
        }
        return found
    }
}
