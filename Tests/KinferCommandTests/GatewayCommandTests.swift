import Foundation
import KinferTestSupport
import Testing

@Suite("kinfer gateway")
struct GatewayCommandTests {
    @Test("kinfer gateway --port 0 prints its port first; a job submitted with curl is 202, and pending once kinfer sink's pending-job recorder runs (503 before, never 404); SIGTERM stops it")
    func portZeroThenSubmit() async throws {
        let broker = try await RunningBroker.start(partitions: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = "command-test-key"
        let gateway = try KinferBinary.launch(
            [
                "gateway", "--bootstrap-servers", broker.bootstrapServers, "--host", "127.0.0.1", "--port", "0",
                "--http-port", "0", "--database", "sqlite://" + directory.appendingPathComponent("results.db").path,
            ],
            // printf %s command-test-key | sha256sum
            environment: ["KINFER_GATEWAY_API_KEY_HASHES": "48f9ec586223479c6b05ad2cc11300b15689fd0de250766c616d8befbca5deaa"]
        )
        do {
            try await gateway.waitForOutput(on: .standardOutput, timeout: .seconds(30), "the port") { $0.contains(UInt8(ascii: "\n")) }
            let port = try #require(Int(gateway.standardOutputText.split(separator: "\n").first ?? ""))
            let body = #"{"features": [\#(Array(repeating: "0", count: 64).joined(separator: ","))]}"#
            let submitted = try await ChildProcess.run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "20", "-H", "Authorization: Bearer \(key)", "-H", "Content-Type: application/json",
                 "-d", body, "http://127.0.0.1:\(port)/v1/jobs"],
                timeout: .seconds(30)
            ).requireSuccess()
            let accepted = try #require(try JSONSerialization.jsonObject(with: submitted.standardOutput) as? [String: Any])
            let jobID = try #require(accepted["job_id"] as? String, "\(submitted.standardOutputText)")
            // The gateway left the pending row to the sink's recorder, which is not running yet: it cannot tell.
            let unsure = try await ChildProcess.run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "20", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(key)", "http://127.0.0.1:\(port)/v1/jobs/\(jobID)"],
                timeout: .seconds(30)
            ).requireSuccess()
            #expect(unsure.standardOutputText.hasSuffix("\n503"), "\(unsure.standardOutputText)")
            #expect(unsure.standardOutputText.contains("kinfer-sink-pending"), "\(unsure.standardOutputText)")

            let sink = try KinferBinary.launch([
                "sink", "--bootstrap-servers", broker.bootstrapServers, "--http-port", "0",
                "--database", "sqlite://" + directory.appendingPathComponent("results.db").path,
            ])
            defer { Task { _ = await sink.stop() } }
            var lastAnswer = ""
            try await waitUntil("the job to read pending once the sink runs", timeout: .seconds(40)) {
                let status = try await ChildProcess.run(
                    "/usr/bin/curl",
                    ["-sS", "--max-time", "20", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(key)", "http://127.0.0.1:\(port)/v1/jobs/\(jobID)"],
                    timeout: .seconds(30)
                ).requireSuccess()
                lastAnswer = status.standardOutputText
                // While the sink joins its group the answer is 503, never 404: the job exists.
                #expect(!lastAnswer.hasSuffix("\n404"), "\(lastAnswer)")
                return lastAnswer.hasSuffix("\n200")
            }
            #expect(lastAnswer.contains(#""status":"pending""#), "\(lastAnswer)")
        } catch {
            _ = await gateway.stop()
            await broker.stop()
            throw error
        }
        #expect(await gateway.stop() == .exited(0))
        await broker.stop()
    }

    @Test("kinfer gateway without any API key configured, or with a malformed hash: a one-line error naming the fix, and no server")
    func refusesToStartWithoutKeys() async throws {
        let none = try await KinferBinary.run(["gateway", "--bootstrap-servers", "127.0.0.1:1", "--port", "0"], timeout: .seconds(30))
        #expect(!none.succeeded)
        #expect(none.standardErrorText.contains("KINFER_GATEWAY_API_KEY_HASHES"), "\(none)")
        #expect(none.standardOutputText.isEmpty)

        let malformed = try await KinferBinary.run(
            ["gateway", "--bootstrap-servers", "127.0.0.1:1", "--port", "0", "--api-key-hash", "my-secret-key"],
            timeout: .seconds(30)
        )
        #expect(!malformed.succeeded)
        #expect(malformed.standardErrorText.contains("64 hex digits"), "\(malformed)")
        #expect(!malformed.standardErrorText.contains("my-secret-key"))
    }
}
