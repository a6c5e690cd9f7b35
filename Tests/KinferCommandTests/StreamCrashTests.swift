import AsyncHTTPClient
import Foundation
import KinferTestSupport
import NIOCore
import Testing

/// A worker killed with SIGKILL in the middle of a streamed generation: the job is run again by the group's other
/// member, and the caller's event stream continues from the repeat without a token twice or out of order.
@Suite("A worker killed mid-generation", .serialized)
struct StreamCrashTests {
    /// What one client read from `GET /v1/jobs/{id}/events`.
    struct Received {
        var tokens: [(index: Int, token: String)] = []
        var results: [[String: Any]] = []
    }

    @Test("SIGKILL after 20 of 100 tokens: the caller's stream goes on from the second worker's run, every index 0..<100 once and in order, one result whose text is the tokens'", .timeLimit(.minutes(3)))
    func sigkillMidGeneration() async throws {
        let broker = try await RunningBroker.start(partitions: 1)
        defer { Task { await broker.stop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-stream-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort()
        let gateway = try KinferBinary.launch([
            "gateway", "--bootstrap-servers", broker.bootstrapServers, "--no-auth", "--port", "\(port)", "--http-port", "0",
            "--database", "sqlite://" + directory.appendingPathComponent("results.db").path,
            // No sink runs here, so no pending-job recorder: the gateway records its own jobs.
            "--record-accepted",
        ])
        defer { Task { await gateway.stop() } }
        try await gateway.waitForOutput(on: .standardOutput, timeout: .seconds(30), "the port") { $0.contains(UInt8(ascii: "\n")) }
        let generator = ["--model", "generator", "--token-interval-ms", "30", "--token-count", "100"]
        let first = try await broker.startWorker(["--worker-name", "first"] + generator)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        var submit = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/jobs")
        submit.method = .POST
        submit.headers.add(name: "content-type", value: "application/json")
        submit.body = .bytes(ByteBuffer(string: #"{"model":"generator","inputs":{"prompt":"a crash mid-stream"},"stream":true}"#))
        let accepted = try await client.execute(submit, timeout: .seconds(10))
        let acceptedBody = try await accepted.body.collect(upTo: 1 << 16)
        try #require(accepted.status.code == 202, "\(String(buffer: acceptedBody))")
        let jobID = try #require((try JSONSerialization.jsonObject(with: Data(buffer: acceptedBody)) as? [String: Any])?["job_id"] as? String)

        var events = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/jobs/\(jobID)/events")
        events.headers.add(name: "accept", value: "text/event-stream")
        let response = try await client.execute(events, timeout: .seconds(120))
        #expect(response.status.code == 200)
        var received = Received()
        var pending = ""
        var second: ChildProcess?
        reading: for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\n\n") {
                let event = Self.parse(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                switch event.name {
                case "token":
                    let data = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
                    received.tokens.append((data?["index"] as? Int ?? -1, data?["token"] as? String ?? ""))
                    if received.tokens.count == 20 && second == nil {
                        first.send(signal: SIGKILL)
                        second = try await broker.startWorker(["--worker-name", "second"] + generator)
                    }
                case "result":
                    received.results.append(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] ?? [:])
                    break reading
                default:
                    continue
                }
            }
        }
        await second?.stop()

        #expect(second != nil, "the first worker was killed mid-generation")
        #expect(received.tokens.map(\.index) == Array(0..<100), "indices \(received.tokens.map(\.index))")
        let result = try #require(received.results.first)
        let output = result["output"] as? [String: Any]
        #expect(received.results.count == 1)
        #expect(result["status"] as? String == "completed")
        #expect(result["worker"] as? String == "second", "the second worker ran the job to its end")
        #expect(output?["text"] as? String == received.tokens.map(\.token).joined())
        #expect(output?["tokens"] as? Int == 100)
    }

    /// An event's name and data lines (joined), from its text.
    static func parse(_ text: Substring) -> (name: String, data: String) {
        var name = "message"
        var data: [Substring] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("event:") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("data:") { data.append(line.dropFirst(5).drop { $0 == " " }) }
        }
        return (name, data.joined(separator: "\n"))
    }
}
