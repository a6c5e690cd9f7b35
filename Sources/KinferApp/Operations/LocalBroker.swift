import EmbeddedKafka
import Foundation
import InferenceJobs
import Logging

/// `kinfer broker`: librdkafka's embedded cluster in this process, with the pipeline's topics, for other kinfer
/// processes and kcat to connect to. It runs as long as this value lives.
public final class LocalBroker: Sendable {
    /// `host:port,...` of the brokers.
    public var bootstrapServers: String { cluster.bootstrapServers }
    /// The pipeline's topics, created at start.
    public let topics: [String]
    private let cluster: EmbeddedKafkaCluster

    /// Starts `brokers` brokers and creates the pipeline's topics (as `settings` name them) with `partitions` each,
    /// replicated up to 3 times; writes the bootstrap servers into `bootstrapFile` when given.
    public init(settings: KinferSettings, brokers: Int, partitions: Int, bootstrapFile: String?, logger: Logger) throws {
        cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
        topics = settings.topics.all
        for topic in topics {
            try cluster.createTopic(topic, partitions: partitions, replicationFactor: min(brokers, 3))
        }
        if let bootstrapFile {
            do {
                try (cluster.bootstrapServers + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write the bootstrap file \(bootstrapFile): \(error.localizedDescription)", hint: "check that its directory exists and is writable")
            }
        }
    }
}
