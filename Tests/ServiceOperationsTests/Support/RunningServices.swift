import KinferTestSupport
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import ServiceOperations
import Synchronization
import Testing

let quietLogger = Logger(label: "kinfer.tests.operations") { _ in SwiftLogNoOpLogHandler() }

/// A fresh registry and a kinfer-bucketed factory over it: each test its own, since `MetricsSystem` can be
/// bootstrapped only once per process.
struct TestMetrics {
    let registry = PrometheusCollectorRegistry()
    var factory: PrometheusMetricsFactory { .kinfer(registry: registry) }
}

/// An ``OperationsServer`` on an ephemeral loopback port, and its address once it listens.
final class TestServer: Sendable {
    let server: OperationsServer

    init(registry: PrometheusCollectorRegistry, readiness: ReadinessMonitor) {
        var configuration = OperationsServer.Configuration(port: 0)
        configuration.host = "127.0.0.1"
        let box = PortBox()
        server = OperationsServer(configuration: configuration, registry: registry, readiness: readiness, logger: quietLogger) { port in
            box.port.withLock { $0 = port }
        }
        self.box = box
    }

    private let box: PortBox
    private final class PortBox: Sendable {
        let port = Mutex<Int?>(nil)
    }

    /// `http://127.0.0.1:<port>`, waiting (bounded) for the server to listen.
    func baseURL() async throws -> String {
        try await waitUntil("the operations server listens", timeout: .seconds(10)) { self.box.port.withLock { $0 } != nil }
        return "http://127.0.0.1:\(box.port.withLock { $0 }!)"
    }

    /// `GET /metrics`, parsed.
    func scrape() async throws -> PrometheusSamples {
        let response = try await httpGet(try await baseURL() + "/metrics")
        try #require(response.status == 200, "/metrics answered \(response.status)")
        return PrometheusSamples(response.body)
    }
}

/// Runs `services` in one `ServiceGroup` while `body` runs, then shuts the group down gracefully and waits for it.
func withServices<R: Sendable>(_ services: [any Service], _ body: () async throws -> R) async throws -> R {
    let group = ServiceGroup(services: services, logger: quietLogger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
