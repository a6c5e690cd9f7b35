import CallbackSafety
import Logging
import Notifier
import ServiceLifecycle
import ServiceOperations

/// `kinfer notifier`: the callback notifier with its signing secrets and its operations endpoint, built from the
/// settings and run until SIGTERM or SIGINT.
public enum NotifierService {
    /// What `kinfer notifier` takes from flags only (no `KINFER_*` variable, no config-file key).
    public struct Options: Sendable {
        public var callbackGuard: CallbackGuard
        public var maxConcurrency: Int
        public var maxPerHost: Int
        public var maxInFlight: Int
        /// The longest attempt, connecting included.
        public var timeout: Duration
        public var retrySchedule: CallbackRetrySchedule
        public var gracePeriod: Duration

        public init(
            callbackGuard: CallbackGuard, maxConcurrency: Int, maxPerHost: Int, maxInFlight: Int, timeout: Duration,
            retrySchedule: CallbackRetrySchedule, gracePeriod: Duration
        ) {
            self.callbackGuard = callbackGuard
            self.maxConcurrency = maxConcurrency
            self.maxPerHost = maxPerHost
            self.maxInFlight = maxInFlight
            self.timeout = timeout
            self.retrySchedule = retrySchedule
            self.gracePeriod = gracePeriod
        }
    }

    /// Checks the secrets, the settings and the topics, then runs the notifier; returns once it has stopped.
    public static func run(_ settings: KinferSettings, options: Options) async throws {
        let secrets = try webhookSecrets(settings)
        let groupName = settings.group(defaultingTo: KinferSettings.notifierGroup)
        let port = try settings.operationsPort()
        let kafka = try settings.kafkaConfiguration()
        let topicNames = settings.topics
        let required = [topicNames.results, topicNames.callbacksRetry, topicNames.callbacksDeadLetter]
        try await KafkaProbe.requireTopics(kafka, required)

        let configuration = NotifierConfiguration(
            topics: topicNames,
            guardrail: options.callbackGuard,
            retrySchedule: options.retrySchedule,
            maxConcurrency: options.maxConcurrency, maxPerHost: options.maxPerHost, maxInFlight: options.maxInFlight,
            gracePeriod: options.gracePeriod
        )
        let client = CallbackClient(configuration: .init(version: KinferVersion.current, connectTimeout: options.timeout, timeout: options.timeout))
        var consumer = kafka
        consumer.groupID = groupName
        let logger = Logger(label: "kinfer.notifier")
        _ = ProcessMetrics.registry  // bootstraps MetricsSystem before the notifier makes its metrics
        let notifier = try CallbackNotifier(
            consumerConfiguration: consumer, producerConfiguration: kafka, configuration: configuration,
            signer: WebhookSigner(secrets: secrets), client: client, resolver: SystemResolver(), logger: logger
        )
        logger.info("starting", metadata: [
            "group": "\(groupName)", "http_port": "\(port)", "secrets": "\(secrets)",
            "brokers": "\(kafka.bootstrapServers.joined(separator: ","))",
        ])
        let operations = try OperationsEndpoint.services(
            service: "notifier", port: port, kafka: kafka, member: notifier, topics: required, logger: logger
        )
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: operations + [.init(service: notifier, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }

    /// The signing secrets from `KINFER_WEBHOOK_SECRET` or the config file's `webhook_secret`; never printed, not
    /// even in an error.
    static func webhookSecrets(_ settings: KinferSettings) throws(CLIError) -> WebhookSecrets {
        guard let value = settings.string(.webhookSecret) else {
            throw CLIError(
                "no webhook secret is set: KINFER_WEBHOOK_SECRET, or webhook_secret in the config file",
                hint: "set it to whsec_ and a base64 key (two, space-separated, while rotating)"
            )
        }
        do throws(WebhookSecret.InvalidSecret) {
            return try WebhookSecrets(environmentValue: value)
        } catch {
            throw CLIError(
                "\(settings.source(of: .webhookSecret)): \(error.reason)",
                hint: "use whsec_ and a base64 key, e.g. from: echo whsec_$(openssl rand -base64 32)"
            )
        }
    }
}
