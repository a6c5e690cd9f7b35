import Foundation
import KinferTestSupport
import Prometheus
import Synchronization
import Testing

@Suite("Event streams through curl")
struct CurlEventStreamTests {
    @Test("curl -N: the status event, then keep-alive comments while the job is pending; the stream is forgotten when curl goes away, and the instance's stream limit answers 503")
    func curlFollowsAndLeaves() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withGateway(metricsFactory: PrometheusMetricsFactory(registry: registry), configure: {
            $0.heartbeatInterval = .milliseconds(150)
            $0.maxOpenStreams = 1
        }) { gateway in
            let submitted = try await gateway.submit(simulatedBody)
            let jobID = try #require(submitted.object?["job_id"] as? String)
            func openStreams() -> Double? {
                PrometheusSamples(String(decoding: registry.emitToBuffer(), as: UTF8.self)).value("kinfer_gateway_open_streams")
            }

            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = [
                "-N", "-s", "--max-time", "30", "-H", "Authorization: Bearer \(testAPIKey)",
                "\(gateway.baseURL)/v1/jobs/\(jobID)/events",
            ]
            let output = Pipe()
            curl.standardOutput = output
            try curl.run()
            let received = Locked<[UInt8]>([])
            output.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                received.withLock { $0 += data }
            }
            defer {
                output.fileHandleForReading.readabilityHandler = nil
                if curl.isRunning { kill(curl.processIdentifier, SIGKILL) }
            }
            try await waitUntil("a status event and two heartbeats through curl", timeout: .seconds(10)) {
                let text = String(decoding: received.withLock { $0 }, as: UTF8.self)
                return text.hasPrefix("id: status\nevent: status\ndata: {\"job_id\":\"\(jobID)\",\"status\":\"pending\"}\n\n")
                    && text.components(separatedBy: ": keep-alive\n\n").count >= 3
            }
            #expect(openStreams() == 1)
            // The one place is taken: a second stream is refused with a problem body.
            let refused = try await gateway.followEvents(jobID, timeout: .seconds(5))
            #expect(refused.status == 503)
            #expect(refused.headers.first(name: "Retry-After") == "1")

            // The client goes away abruptly (SIGTERM through Process.terminate does not stop a blocked curl at once).
            kill(curl.processIdentifier, SIGKILL)
            curl.waitUntilExit()
            try await waitUntil("the stream forgotten", timeout: .seconds(5)) { openStreams() == 0 }
            let again = try await gateway.followEvents(jobID, stopAfterEvents: 1, timeout: .seconds(5))
            #expect(again.status == 200)
        }
    }
}
