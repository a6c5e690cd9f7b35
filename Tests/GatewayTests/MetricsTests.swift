import Foundation
import KinferTestSupport
import Prometheus
import Testing

@Suite("Gateway metrics")
struct MetricsTests {
    @Test("Requests are counted by route template and status, never by job ID; accepted jobs and replays too")
    func countsByRouteAndStatus() async throws {
        let registry = PrometheusCollectorRegistry()
        let body = #"{"features": [\#(Array(repeating: "0", count: 64).joined(separator: ","))]}"#
        try await withGateway(metricsFactory: PrometheusMetricsFactory(registry: registry), configure: { _ in }) { gateway in
            var statuses: [Int] = []
            statuses.append(try await gateway.submit(body, extraHeaders: [("Idempotency-Key", "m-1")]).status)
            statuses.append(try await gateway.submit(body, extraHeaders: [("Idempotency-Key", "m-1")]).status)
            statuses.append(try await gateway.submit("{").status)
            statuses.append(try await gateway.send(.GET, "/v1/jobs/some-id").status)
            statuses.append(try await gateway.send(.GET, "/nowhere").status)
            #expect(statuses == [202, 202, 400, 404, 404])

            let samples = PrometheusSamples(String(decoding: registry.emitToBuffer(), as: UTF8.self))
            #expect(samples.value("kinfer_gateway_requests_total", ["route": "/v1/jobs", "status": "202"]) == 2)
            #expect(samples.value("kinfer_gateway_requests_total", ["route": "/v1/jobs", "status": "400"]) == 1)
            #expect(samples.value("kinfer_gateway_requests_total", ["route": "/v1/jobs/{id}", "status": "404"]) == 1)
            #expect(samples.value("kinfer_gateway_requests_total", ["route": "unmatched", "status": "404"]) == 1)
            #expect(samples.value("kinfer_gateway_jobs_accepted_total") == 1)
            #expect(samples.value("kinfer_gateway_idempotent_replays_total") == 1)
            let leaked = samples.values.keys.filter { $0.contains("some-id") }
            #expect(leaked.isEmpty)
        }
    }
}
