import Logging
import ResultStore
import ResultsSink
import ServiceLifecycle
import ServiceOperations

/// `kinfer sink`: the results sink (and, unless turned off, the pending-jobs recorder) with its store and its
/// operations endpoint, built from the settings and run until SIGTERM or SIGINT.
public enum SinkService {
    /// Checks the settings, the topics and the database URL, then runs the sink; returns once it has stopped.
    /// - Parameter recordPendingJobs: Also record every job on the jobs topic as pending (group `<group>-pending`).
    public static func run(_ settings: KinferSettings, recordPendingJobs: Bool) async throws {
        let groupName = settings.group(defaultingTo: KinferSettings.sinkGroup)
        let port = try settings.operationsPort()
        let url = settings.string(.databaseURL)!
        let kafka = try settings.kafkaConfiguration()
        let topicNames = settings.topics
        try await KafkaProbe.requireTopics(
            kafka, [topicNames.results, topicNames.resultsDeadLetter] + (recordPendingJobs ? [topicNames.jobs] : [])
        )

        let logger = Logger(label: "kinfer.sink")
        let store = try ResultsDatabase.admissionStore(url: url, logger: logger)
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
        _ = ProcessMetrics.registry  // bootstraps MetricsSystem before the sink makes its metrics
        let sink = try ResultsSink(
            consumerConfiguration: consumer, producerConfiguration: kafka, store: store,
            configuration: sinkConfiguration, logger: logger
        )
        var pendingConsumer = kafka
        pendingConsumer.groupID = KinferSettings.pendingRecorderGroup(ofSink: groupName)
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
        try await ResultsDatabase.reportingFailures(of: url) { try await group.run() }
    }
}
