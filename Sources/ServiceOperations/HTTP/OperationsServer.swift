import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The HTTP side of a long-running service: `/metrics` (Prometheus text format), `/healthz` (the process is alive:
/// always `200`) and `/readyz` (`200` when ``ReadinessMonitor`` last found every check holding, else `503` with the
/// reasons). Anything else is `404`.
///
/// Runs in the same `ServiceGroup` as the service it reports on, and stops with it.
public struct OperationsServer: Service {
    /// Where the server listens.
    public struct Configuration: Sendable {
        /// The address to bind. Defaults to `0.0.0.0`, so that probes and scrapers from other hosts reach it.
        public var host = "0.0.0.0"
        /// The port; `0` lets the system choose a free one (see `onListening`).
        public var port: Int

        public init(port: Int) {
            self.port = port
        }
    }

    private let configuration: Configuration
    private let registry: PrometheusCollectorRegistry
    private let readiness: ReadinessMonitor
    private let onListening: @Sendable (Int) async -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - registry: What `/metrics` exports: the registry behind the process's metrics factory.
    ///   - readiness: What `/readyz` answers from.
    ///   - onListening: Called with the bound port once the server accepts connections.
    public init(
        configuration: Configuration,
        registry: PrometheusCollectorRegistry,
        readiness: ReadinessMonitor,
        logger: Logger = Logger(label: "kinfer.http"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let onListening = self.onListening
        let application = Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await application.run()
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let registry = self.registry
        let readiness = self.readiness
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        router.get("healthz") { _, _ in
            Self.text(.ok, "ok\n")
        }
        router.get("readyz") { _, _ in
            let status = readiness.status
            return status.isReady ? Self.text(.ok, "ready\n") : Self.text(.serviceUnavailable, "not ready: \(status.reasons.joined(separator: "; "))\n")
        }
        return router
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
