import AsyncHTTPClient
import Foundation
import KinferTestSupport
import Logging
import NIOCore
import ResultStore
import ResultsSink
import Synchronization
import Testing

/// `kinfer gateway` killed while a client submits: the client does what the README tells clients to do, retrying the
/// same request with the same `Idempotency-Key` on any error, and nothing is lost or doubled.
@Suite("kinfer gateway crashes", .serialized)
struct GatewayCrashTests {
    /// The job ID each key was accepted with, and what went wrong on the way.
    final class Submissions: Sendable {
        private let state = Mutex<(accepted: [Int: String], retries: Int, refused: [String])>(([:], 0, []))
        private let nextIndex = Atomic<Int>(0)
        /// The next job to submit, shared by the senders.
        func takeIndex() -> Int { self.nextIndex.add(1, ordering: .relaxed).oldValue }
        func accept(_ index: Int, _ jobID: String) { self.state.withLock { _ = $0.accepted.updateValue(jobID, forKey: index) } }
        func retry() { self.state.withLock { $0.retries += 1 } }
        func refuse(_ reason: String) { self.state.withLock { $0.refused.append(reason) } }
        var accepted: [Int: String] { self.state.withLock { $0.accepted } }
        var acceptedCount: Int { self.state.withLock { $0.accepted.count } }
        var retries: Int { self.state.withLock { $0.retries } }
        var refused: [String] { self.state.withLock { $0.refused } }
    }

    static let features = "[" + (0..<64).map { String($0 % 17) }.joined(separator: ",") + "]"

    /// POSTs job `index` with key `crash-<index>` until the gateway answers 202 (returning the job ID), or anything
    /// but a retryable answer (409, 429, 503, a connection error).
    static func submit(_ index: Int, port: Int, client: HTTPClient, into submissions: Submissions) async throws {
        while true {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/jobs")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "idempotency-key", value: "crash-\(index)")
            request.body = .bytes(ByteBuffer(string: #"{"features":\#(Self.features)}"#))
            do {
                let response = try await client.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 64 * 1024)
                switch response.status.code {
                case 202:
                    let answer = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                    guard let jobID = answer?["job_id"] as? String else { return submissions.refuse("202 without job_id: \(String(buffer: body))") }
                    return submissions.accept(index, jobID)
                case 409, 429, 503:
                    submissions.retry()
                default:
                    return submissions.refuse("\(response.status.code): \(String(buffer: body))")
                }
            } catch {
                submissions.retry()  // the gateway is down or went down mid-request: the same key again
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("The gateway killed with SIGKILL twice while 10,000 submissions retry with their Idempotency-Key on any error: every key has one job ID, every accepted job exactly one row, a repeated key answers its first job ID")
    func sigkillWhileSubmitting() async throws {
        let broker = try await RunningBroker.start(partitions: 4)
        defer { Task { await broker.stop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-gateway-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = "sqlite://" + directory.appendingPathComponent("results.db").path
        let port = try freeLoopbackPort()
        func startGateway() async throws -> ChildProcess {
            let gateway = try KinferBinary.launch([
                "gateway", "--bootstrap-servers", broker.bootstrapServers, "--no-auth", "--port", "\(port)", "--http-port", "0",
                "--database", database, "--produce-timeout-ms", "2000",
            ])
            try await gateway.waitForOutput(on: .standardOutput, timeout: .seconds(30), "the port") { $0.contains(UInt8(ascii: "\n")) }
            return gateway
        }

        let worker = try await broker.startWorker(["--worker-name", "crash-worker", "--model", "digits"])
        let sink = try KinferBinary.launch([
            "sink", "--bootstrap-servers", broker.bootstrapServers, "--database", database, "--http-port", "0",
            "--kafka-property", "session.timeout.ms=6000",
        ])
        var gateway = try await startGateway()

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let total = 10_000
        let submissions = Submissions()
        let submitting = Task {
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<32 {
                    group.addTask {
                        while case let index = submissions.takeIndex(), index < total {
                            try await Self.submit(index, port: port, client: client, into: submissions)
                        }
                    }
                }
            }
        }
        for crash in 1...2 {
            let target = submissions.acceptedCount + Int.random(in: 1_000...2_500)
            try await waitUntil("submissions are accepted before crash \(crash)", timeout: .seconds(120)) { submissions.acceptedCount >= min(target, total - 500) }
            gateway.send(signal: SIGKILL)
            #expect(try await gateway.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
            gateway = try await startGateway()
        }
        try await submitting.value
        #expect(submissions.refused.isEmpty, "\(submissions.refused.prefix(3))")
        let accepted = submissions.accepted
        #expect(accepted.count == total)
        #expect(Set(accepted.values).count == total, "no two keys share a job ID")

        // A key sent again after everything answers its first job ID.
        for index in stride(from: 0, to: total, by: 500) {
            let again = Submissions()
            try await Self.submit(index, port: port, client: client, into: again)
            #expect(again.accepted[index] == accepted[index], "crash-\(index) answers its first job ID")
        }

        try await withResultStore(url: database, logger: Logger(label: "test")) { store in
            try await waitUntil("every accepted job has its row", timeout: .seconds(180)) { try await store.count() >= total }
            #expect(try await store.count() == total, "exactly one row per accepted job")
            for index in stride(from: 0, to: total, by: 97) {
                let row = try await store.result(for: accepted[index]!)
                #expect(row?.result.status == .completed, "crash-\(index)")
            }
        }
        print("gateway crashes: \(total) keys accepted after \(submissions.retries) retries")
        try await client.shutdown()
        #expect(await gateway.stop() == .exited(0))
        _ = await sink.stop()
        _ = await worker.stop()
    }
}
