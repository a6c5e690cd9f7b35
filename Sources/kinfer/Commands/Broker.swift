import ArgumentParser
import Foundation
import KinferApp
import Logging

extension Kinfer {
    /// `kinfer broker`: librdkafka's embedded Kafka cluster, with the pipeline's topics, until SIGINT or SIGTERM.
    struct Broker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an embedded Kafka cluster with the pipeline's topics until SIGINT or SIGTERM.",
            discussion: """
                Prints the bootstrap servers as the first line on stdout (and into --bootstrap-file), so other \
                kinfer processes and kcat can connect: kinfer worker --bootstrap-servers "$(head -1 out)". \
                The cluster is librdkafka's mock: real Kafka protocol on loopback ports, data in memory only, \
                no CreateTopics (its topics are created here, at start).
                """
        )

        @Option(help: "How many brokers the cluster has.")
        var brokers = 3

        @Option(help: "Partitions of each pipeline topic (jobs, results, retry, both dead-letter topics).")
        var partitions = 12

        @Option(help: ArgumentHelp("Also write the bootstrap servers into this file.", valueName: "path"))
        var bootstrapFile: String?

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        @Option(help: ArgumentHelp("Log level on stderr (trace ... critical). Also KINFER_LOG_LEVEL.", valueName: "level"))
        var logLevel: String?

        func validate() throws {
            guard (1...64).contains(brokers) else { throw ValidationError("--brokers must be from 1 to 64, got \(brokers)") }
            guard (1...10_000).contains(partitions) else { throw ValidationError("--partitions must be from 1 to 10000, got \(partitions)") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            flags.set(.logLevel, logLevel)
            let settings = try KinferSettings.load(flags: flags, configPath: nil, environment: ProcessInfo.processInfo.environment)
            CLILogging.bootstrap(level: try settings.string(.logLevel).map { text throws(CLIError) in try CLILogging.level(text) } ?? .warning)
            let logger = Logger(label: "kinfer.broker")

            let broker = try LocalBroker(settings: settings, brokers: brokers, partitions: partitions, bootstrapFile: bootstrapFile, logger: logger)
            Terminal.output(broker.bootstrapServers)
            Terminal.diagnostic(
                "kinfer broker: \(brokers) brokers at \(broker.bootstrapServers); topics \(broker.topics.joined(separator: ", ")) "
                    + "with \(partitions) partitions each; stop with Ctrl-C or SIGTERM"
            )
            let signal = await Signals.waitForTermination()
            logger.info("stopping on signal \(signal)")
            withExtendedLifetime(broker) {}
        }
    }
}
