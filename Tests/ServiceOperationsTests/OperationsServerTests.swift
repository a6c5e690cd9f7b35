import KinferTestSupport
import ServiceOperations
import Synchronization
import Testing

@Suite("Operations HTTP server")
struct OperationsServerTests {
    /// Real requests over loopback: `/healthz` is 200, an unknown path 404, and `/readyz` and `kinfer_ready` follow
    /// the readiness checks both ways.
    @Test func answersHealthReadinessMetricsAndNotFound() async throws {
        let metrics = TestMetrics()
        let failing = Flag(true)
        let readiness = ReadinessMonitor(
            service: "worker",
            checks: [ReadinessCheck("test") { failing.value ? "the test says no" : nil }],
            interval: .milliseconds(100),
            metricsFactory: metrics.factory,
            logger: quietLogger
        )
        let server = TestServer(registry: metrics.registry, readiness: readiness)
        try await withServices([server.server, readiness]) {
            let base = try await server.baseURL()
            let health = try await httpGet(base + "/healthz")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            #expect(try await httpGet(base + "/no-such-path").status == 404)

            let notReady = try await httpGet(base + "/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.body.contains("the test says no") || notReady.body.contains("starting"))
            #expect(try await server.scrape().value("kinfer_ready", ["service": "worker"]) == 0)

            failing.value = false
            try await waitUntil("/readyz answers 200") { try await httpGet(base + "/readyz").status == 200 }
            #expect(try await server.scrape().value("kinfer_ready", ["service": "worker"]) == 1)

            failing.value = true
            try await waitUntil("/readyz answers 503 again") { try await httpGet(base + "/readyz").status == 503 }
            #expect(try await httpGet(base + "/readyz").body.contains("the test says no"))
            #expect(try await server.scrape().value("kinfer_ready", ["service": "worker"]) == 0)
        }
    }
}

/// A Boolean shared with a check's closure.
final class Flag: Sendable {
    private let state: Mutex<Bool>

    init(_ value: Bool) {
        state = Mutex(value)
    }

    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
