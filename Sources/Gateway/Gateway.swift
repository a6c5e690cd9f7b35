import Foundation
import Hummingbird
import InferenceJobs
import Kafka
import Logging
import Metrics
import ResultsSink
import ServiceLifecycle

/// The HTTP gateway: `POST /v1/jobs` onto the jobs topic, `GET /v1/jobs/{id}` from the results store, and
/// `GET /openapi.json`. Stateless: any number of instances may share the brokers and the store.
///
/// A `Service`: put the store ahead of it in the `ServiceGroup`, so that shutdown, which runs in reverse order,
/// stops the gateway (and flushes its producer) before the store closes.
public struct Gateway: Service {
    private let configuration: GatewayConfiguration
    private let store: any JobAdmissionStore
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - store: A store whose `run()` is running; the gateway migrates it before it listens, keeps admissions in
    ///     it and reads results from it.
    ///   - metricsFactory: Where requests and accepted jobs are counted. Defaults to the process's.
    ///   - onListening: Called with the bound API port once the server accepts connections.
    public init(
        configuration: GatewayConfiguration,
        store: any JobAdmissionStore,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.gateway"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.onListening = onListening
    }

    /// Migrates the store, then serves until graceful shutdown or cancellation, then closes the producer.
    public func run() async throws {
        try await self.store.migrate()
        let producer = try JobProducer(configuration: Self.producerConfiguration(self.configuration), topics: self.configuration.options.topics)
        let responder = GatewayResponder(
            configuration: self.configuration,
            store: self.store,
            producer: producer,
            openAPIDocument: try Self.openAPIDocument(),
            logger: self.logger,
            metrics: GatewayMetrics(factory: self.metricsFactory)
        )
        let options = self.configuration.options
        let onListening = self.onListening
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "kinfer-gateway"
            ),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: self.logger
        )
        do {
            try await application.run()
        } catch {
            await producer.close()
            throw error
        }
        // Everything the broker has not acknowledged yet was never answered 202; close delivers or fails it.
        await producer.close()
    }

    /// The durable producer's settings: `acks=all` and idempotence (unless the configuration sets them), and
    /// `message.timeout.ms` at the produce timeout, so that a job the broker does not take in time fails its
    /// request (`503`) instead of hanging it.
    static func producerConfiguration(_ configuration: GatewayConfiguration) -> KafkaConfiguration {
        var kafka = configuration.kafka
        kafka.acks = kafka.acks ?? .all
        kafka.idempotence = kafka.idempotence ?? true
        let timeout = configuration.options.produceTimeout.components
        let milliseconds = timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000
        if kafka.properties["message.timeout.ms"] == nil { kafka.properties["message.timeout.ms"] = "\(max(1, milliseconds))" }
        return kafka
    }

    /// The OpenAPI 3.1 document served at `/openapi.json`, as bundled in this module.
    public static func openAPIDocument() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(try Data(contentsOf: url))
    }
}
