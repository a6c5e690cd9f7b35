import ArgumentParser
import KinferApp

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
            let creation = try await TopicCreation(settings: settings)
            for name in creation.existing {
                Terminal.output("\(name): exists")
            }
            guard !creation.missing.isEmpty else { return }
            try await creation.createMissing(partitions: partitions, replicationFactor: replicationFactor)
            for name in creation.missing {
                let retention = creation.retention(of: name) == nil ? "" : " (retention 1 hour)"
                Terminal.output("\(name): created with \(partitions) partitions\(retention)")
            }
        }
    }
}
