import Gateway
import Kafka
import Logging
import ResultStore
import ServiceLifecycle
import ServiceOperations

/// `kinfer gateway`: the HTTP API with its store, admission retention and operations endpoint, built from the
/// settings and run until SIGTERM or SIGINT.
///
/// Two steps, so that refusals come in the order users know: the settings and the API keys when made, the
/// command's `--model` rules next, then the topics and the database when run.
public struct GatewayService {
    private let settings: KinferSettings
    private let operationsPort: Int
    private let url: String
    private let kafka: KafkaConfiguration
    private let authentication: GatewayConfiguration.Authentication
    private let logger = Logger(label: "kinfer.gateway")

    /// Checks the settings and the API keys.
    /// - Parameters:
    ///   - openAPI: `--no-auth`: accept requests without an API key.
    ///   - apiKeyHashes: `--api-key-hash` values, added to `gateway_api_key_hashes`.
    public init(_ settings: KinferSettings, openAPI: Bool, apiKeyHashes: [String]) throws {
        self.settings = settings
        operationsPort = try settings.operationsPort()
        url = settings.string(.databaseURL)!
        kafka = try settings.kafkaConfiguration()
        authentication = try Self.authentication(settings, openAPI: openAPI, apiKeyHashes: apiKeyHashes, logger: logger)
    }

    /// Checks the topics and the database, then serves; returns once the gateway has stopped.
    /// - Parameters:
    ///   - options: The command's flags; the topics are taken from the settings.
    ///   - onListening: Called with the bound port, which may have been picked (`--port 0`).
    public func run(options: GatewayConfiguration.Options, models: ModelRules, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let topicNames = settings.topics
        var options = options
        options.topics = topicNames
        let configuration = GatewayConfiguration(kafka: kafka, authentication: authentication, models: models, options: options)

        try await KafkaProbe.requireTopics(kafka, [topicNames.jobs, topicNames.results])
        let store = try ResultsDatabase.admissionStore(url: url, logger: logger)
        _ = ProcessMetrics.registry  // bootstraps MetricsSystem before the gateway makes its metrics
        let gateway = Gateway(configuration: configuration, store: store, logger: logger, onListening: onListening)
        logger.info("starting", metadata: [
            "host": "\(options.host)", "port": "\(options.port)", "database": "\(redactedURL(url))",
            "http_port": "\(operationsPort)", "brokers": "\(kafka.bootstrapServers.joined(separator: ","))",
        ])
        var operations: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if operationsPort != 0 {
            let admin = try KafkaAdmin(configuration: kafka, logger: logger)
            let readiness = ReadinessMonitor(
                service: "gateway",
                checks: [
                    .broker(admin, topics: [topicNames.jobs]),
                    ReadinessCheck("database") { await store.isReachable() ? nil : "database unreachable" },
                ],
                logger: logger
            )
            let server = OperationsServer(
                configuration: .init(port: operationsPort), registry: ProcessMetrics.registry, readiness: readiness, logger: logger
            )
            operations = [.init(service: server), .init(service: readiness)]
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: operations + [
                .init(service: store),
                .init(service: AdmissionRetention(store: store, logger: logger)),
                .init(service: gateway, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await ResultsDatabase.reportingFailures(of: url) { try await group.run() }
    }

    /// The accepted keys: `--api-key-hash` added to `KINFER_GATEWAY_API_KEY_HASHES` or the config file's
    /// `gateway_api_key_hashes`.
    private static func authentication(
        _ settings: KinferSettings, openAPI: Bool, apiKeyHashes: [String], logger: Logger
    ) throws -> GatewayConfiguration.Authentication {
        if openAPI {
            logger.warning("the API is open: --no-auth, no API key is checked")
            return .open
        }
        let configured = settings.string(.gatewayAPIKeyHashes) ?? ""
        let keys: APIKeys
        do {
            keys = try APIKeys(list: ([configured] + apiKeyHashes).joined(separator: ","))
        } catch {
            throw CLIError("\(error)", hint: "give each key as the output of: printf %s KEY | sha256sum")
        }
        guard keys.count > 0 else {
            throw CLIError(
                "no API key is configured",
                hint: "set KINFER_GATEWAY_API_KEY_HASHES, gateway_api_key_hashes in the config file, or --api-key-hash to SHA-256 hex hashes of the keys, or pass --no-auth"
            )
        }
        return .apiKeys(keys)
    }
}
