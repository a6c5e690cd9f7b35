import ArgumentParser
import Foundation
import Logging
import ResultStore
import ResultsSink
import ServiceLifecycle
import ServiceOperations

extension Kinfer {
    /// `kinfer sink`: results topic into the results database, one row per job, until SIGTERM or SIGINT.
    struct Sink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the results sink: results topic in, exactly one database row per job.",
            discussion: """
                Joins the sink group on the results topic and writes each batch in one transaction, committing \
                offsets only after the database commit. SIGTERM or SIGINT finishes the batch being written and stops. \
                Results that do not decode, or that the database refuses for good (a constraint they break), go to the \
                results dead-letter topic with the reason in headers; the rest of their batch is written. \
                Unless --no-pending-jobs, it also records each job on the jobs topic as pending (a group of its own, \
                <group>-pending), so that the gateway answers pending for jobs whoever produced them. \
                Serves /metrics (Prometheus), /healthz and /readyz (503 while the database is unreachable or writes fail) on \
                --http-port; 0 turns that off. \
                --bootstrap-servers, --group, --database and --http-port are also KINFER_* variables and config-file keys.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The consumer group. Defaults to kinfer-sink; also KINFER_GROUP.", valueName: "group"))
        var group: String?

        @Option(help: ArgumentHelp(
            "The results database URL: sqlite:///path, sqlite://relative/path or postgres://user:password@host:port/db. Defaults to sqlite://./kinfer-results.db; also KINFER_DATABASE_URL.",
            valueName: "url"
        ))
        var database: String?

        @Option(help: ArgumentHelp(
            "Port for the HTTP server: /metrics, /healthz, /readyz; 0 turns it off. Defaults to 8080; also KINFER_HTTP_PORT.",
            valueName: "port"
        ))
        var httpPort: Int?

        @Option(help: ArgumentHelp("The most results written in one transaction. Defaults to 1000; also KINFER_MAX_BATCH_SIZE.", valueName: "n"))
        var maxBatchSize: Int?

        @Option(help: ArgumentHelp("Delete results completed longer ago than this; 0 keeps them forever. Defaults to 168 (7 days); also KINFER_RETENTION_HOURS.", valueName: "hours"))
        var retentionHours: Double?

        @Flag(
            name: .customLong("pending-jobs"), inversion: .prefixedNo,
            help: "Record every job on the jobs topic as pending (group <group>-pending), so that the gateway answers pending for jobs any client produced. Defaults to on."
        )
        var recordPendingJobs = true

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            if let maxBatchSize, maxBatchSize < 1 { throw ValidationError("--max-batch-size must be at least 1, got \(maxBatchSize)") }
            if let retentionHours, !(retentionHours >= 0) { throw ValidationError("--retention-hours must be 0 or more, got \(retentionHours)") }
            if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be from 0 (off) to 65535, got \(httpPort)") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            flags.set(.group, group)
            flags.set(.databaseURL, database)
            flags.set(.httpPort, httpPort)
            flags.set(.maxBatchSize, maxBatchSize)
            flags.set(.retentionHours, retentionHours)
            topics.apply(to: &flags)
            let settings = try common.settings(flags, defaultLogLevel: .info)
            let groupName = settings.group(defaultingTo: KinferSettings.sinkGroup)
            let port = try settings.int(.httpPort)
            guard port <= 65_535 else { throw CLIError("the HTTP port must be from 0 (off) to 65535, not \(port)", hint: "fix --http-port or KINFER_HTTP_PORT") }
            let url = settings.string(.databaseURL)!
            let kafka = try settings.kafkaConfiguration()
            let topicNames = settings.topics
            try await KafkaProbe.requireTopics(
                kafka, [topicNames.results, topicNames.resultsDeadLetter] + (recordPendingJobs ? [topicNames.jobs] : [])
            )

            let logger = Logger(label: "kinfer.sink")
            let store: any JobAdmissionStore
            do {
                store = try makeJobAdmissionStore(url: url, logger: logger)
            } catch let error as ResultStoreError {
                throw CLIError("bad results database URL \(redactedURL(url)): \(error.message)", hint: "use sqlite:///path/to/results.db or postgres://user:password@host:5432/db")
            }
            var sinkConfiguration = SinkConfiguration()
            sinkConfiguration.resultsTopic = topicNames.results
            sinkConfiguration.deadLetterTopic = topicNames.resultsDeadLetter
            // The sink's own defaults apply when no layer sets these (the shared max_batch_size default is the worker's).
            if settings.lookup(.maxBatchSize) != nil { sinkConfiguration.maxBatchSize = try settings.int(.maxBatchSize, minimum: 1) }
            if settings.lookup(.retentionHours) != nil {
                let hours = try settings.double(.retentionHours, in: 0...1_000_000)
                sinkConfiguration.retention = hours == 0 ? nil : .seconds(hours * 3_600)
            }

            var consumer = kafka
            consumer.groupID = groupName
            if consumer.properties["auto.offset.reset"] == nil { consumer.autoOffsetReset = .earliest }
            _ = ProcessMetrics.registry  // bootstraps MetricsSystem before the sink makes its metrics
            let sink = try ResultsSink(
                consumerConfiguration: consumer, producerConfiguration: kafka, store: store,
                configuration: sinkConfiguration, logger: logger
            )
            var pendingConsumer = kafka
            pendingConsumer.groupID = "\(groupName)-pending"
            if pendingConsumer.properties["auto.offset.reset"] == nil { pendingConsumer.autoOffsetReset = .earliest }
            let pendingJobs = try recordPendingJobs
                ? PendingJobRecorder(consumerConfiguration: pendingConsumer, store: store, jobsTopic: topicNames.jobs)
                : nil
            logger.info("starting", metadata: [
                "group": "\(groupName)", "database": "\(redactedURL(url))", "http_port": "\(port)",
                "brokers": "\(kafka.bootstrapServers.joined(separator: ","))",
            ])
            let database = ReadinessCheck("database") { await store.isReachable() ? nil : "database unreachable" }
            // A database that answers probes can still fail writes (locks, timeouts, a full disk): not ready then either.
            let writes = ReadinessCheck("writes") { sink.writeFailure.map { "database writes failing: \($0)" } }
            let operations = try OperationsEndpoint.services(
                service: "sink", port: port, kafka: kafka, member: sink,
                topics: [topicNames.results, topicNames.resultsDeadLetter], checks: [database, writes], logger: logger
            )
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: operations + [
                    .init(service: store),
                    .init(service: sink, successTerminationBehavior: .gracefullyShutdownGroup),
                ] + (pendingJobs.map { [.init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup)] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
            do {
                try await group.run()
            } catch let error as ResultStoreError {
                throw CLIError("results database \(redactedURL(url)): \(error.message)", hint: "check --database or KINFER_DATABASE_URL, and that the database is reachable")
            }
        }
    }
}
