import ArgumentParser
import Kafka

extension Kinfer.Topics {
    /// `kinfer topics create`: the eight pipeline topics, idempotently.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the jobs, results, retry, dead-letter and results dead-letter topics (existing ones are left as they are).",
            discussion: "Uses Kafka's CreateTopics request. The embedded cluster of `kinfer broker` has no CreateTopics; its topics are created by `kinfer broker` at start."
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: "Partitions of each topic; the most workers (or sinks) that share the work.")
        var partitions = 12

        @Option(help: "Copies of each partition; -1 for the brokers' default.")
        var replicationFactor = -1

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            guard partitions >= 1 else { throw ValidationError("--partitions must be at least 1, got \(partitions)") }
            guard replicationFactor == -1 || replicationFactor >= 1 else {
                throw ValidationError("--replication-factor must be at least 1, or -1 for the brokers' default; got \(replicationFactor)")
            }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            let settings = try common.settings(flags)
            let kafka = try settings.kafkaConfiguration()
            let wanted = settings.topics.all
            let existing = Set(try await KafkaProbe.describe(kafka, topics: wanted).map(\.name))
            let missing = wanted.filter { !existing.contains($0) }
            for name in wanted where existing.contains(name) {
                Terminal.output("\(name): exists")
            }
            guard !missing.isEmpty else { return }
            let embeddedMessage = CLIError(
                "this cluster does not support CreateTopics (the embedded cluster of `kinfer broker` does not)",
                hint: "topics on the embedded cluster are created by `kinfer broker` at start (--partitions, --jobs-topic, ...)"
            )
            do {
                let admin = try KafkaAdmin(configuration: kafka, logger: CLILogging.silent)
                try await admin.createTopics(
                    missing.map { name in
                        KafkaNewTopic(
                            name: name, partitions: partitions, replicationFactor: replicationFactor,
                            configs: name == settings.topics.stream ? Self.streamTopicConfigs : [:]
                        )
                    },
                    timeout: Self.timeout
                )
            } catch {
                if Self.isUnsupported(error) { throw embeddedMessage }
                throw CLIError("cannot create \(missing.joined(separator: ", ")): \(error.message)", hint: "check the partitions, the replication factor against the number of brokers, and the ACLs; running again is safe")
            }
            for name in missing {
                let retention = name == settings.topics.stream ? " (retention 1 hour)" : ""
                Terminal.output("\(name): created with \(partitions) partitions\(retention)")
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
}
