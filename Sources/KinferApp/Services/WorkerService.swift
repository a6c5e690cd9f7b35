import InferenceWorker
import Logging
import ServiceLifecycle
import ServiceOperations

/// `kinfer worker`: a member of the worker group with its models and its operations endpoint, built from the
/// settings and run until SIGTERM or SIGINT drains it.
public enum WorkerService {
    /// Checks the settings and the topics, then runs the worker; returns once it has drained and left the group.
    public static func run(_ settings: KinferSettings) async throws {
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
