import ArgumentParser
import InferenceWorker
import Logging
import ServiceLifecycle
import ServiceOperations

extension Kinfer {
    /// `kinfer worker`: a member of the worker group, until SIGTERM or SIGINT drains it.
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an inference worker: jobs in, batched model calls, results out.",
            discussion: """
                Joins the worker group on the jobs and retry topics. SIGTERM or SIGINT drains it: no new jobs, \
                in-flight jobs finish within --grace-period-seconds, offsets are committed, then it leaves the group. \
                Serves /metrics (Prometheus), /healthz and /readyz on --http-port; 0 turns that off. \
                Every flag is also a KINFER_* variable (--max-batch-size is KINFER_MAX_BATCH_SIZE) and a config-file key.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @OptionGroup(title: "Worker")
        var options: WorkerOptions

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            options.apply(to: &flags)
            topics.apply(to: &flags)
            let settings = try common.settings(flags, defaultLogLevel: .info)
            let worker = try WorkerSettings(settings)
            let kafka = try settings.kafkaConfiguration()
            let topicNames = worker.worker.topics
            let required = [topicNames.jobs, topicNames.retry, topicNames.results, topicNames.deadLetter] + (worker.servesGenerativeModel ? [topicNames.stream] : [])
            try await KafkaProbe.requireTopics(kafka, required)
            let logger = Logger(label: "kinfer.worker")
            _ = ProcessMetrics.registry  // bootstraps MetricsSystem before the worker makes its metrics
            try await worker.withModels(logger: logger) { models, modelServerReadiness in
                var consumer = kafka
                consumer.groupID = worker.group
                if consumer.properties["auto.offset.reset"] == nil { consumer.autoOffsetReset = .earliest }
                let service = try InferenceWorker(
                    consumerConfiguration: consumer, producerConfiguration: kafka,
                    configuration: worker.worker, models: models, logger: logger
                )
                logger.info("starting", metadata: [
                    "group": "\(worker.group)", "model": "\(models.defaultModel.name)", "http_port": "\(worker.httpPort)",
                    "brokers": "\(kafka.bootstrapServers.joined(separator: ","))",
                ])
                let checks = modelServerReadiness.map { notReadyReason in [ReadinessCheck("model server", probe: notReadyReason)] } ?? []
                let operations = try OperationsEndpoint.services(
                    service: "worker", port: worker.httpPort, kafka: kafka, member: service,
                    topics: required,
                    checks: checks, logger: logger
                )
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                    services: operations + [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                ))
                try await group.run()
            }
        }
    }
}
