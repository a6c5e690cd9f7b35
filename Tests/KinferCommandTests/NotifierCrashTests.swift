import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import Notifier
import Synchronization
import Testing

/// `kinfer notifier` as a process, delivering to a receiver on 127.0.0.1 that the test starts.
@Suite("kinfer notifier crashes and replays", .serialized)
struct NotifierCrashTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// Per path: requests seen, and whether one was answered 2xx.
    final class Deliveries: Sendable {
        private let state = Mutex<[String: (requests: Int, delivered: Bool)]>([:])
        private let goneAccepted = Atomic<Bool>(false)

        func answer(_ path: String) -> LocalReceiver.Reply {
            let accept = !path.hasPrefix("/gone/") || self.goneAccepted.load(ordering: .relaxed)
            self.state.withLock { state in
                state[path, default: (0, false)].requests += 1
                if accept { state[path]!.delivered = true }
            }
            return LocalReceiver.Reply(status: accept ? .ok : .gone)
        }
        func acceptGone() { self.goneAccepted.store(true, ordering: .relaxed) }
        var delivered: Set<String> { self.state.withLock { Set($0.filter(\.value.delivered).keys) } }
        var requests: Int { self.state.withLock { $0.values.reduce(0) { $0 + $1.requests } } }
    }

    func startNotifier(_ broker: RunningBroker, port: Int) async throws -> ChildProcess {
        let notifier = try KinferBinary.launch(
            [
                "notifier", "--bootstrap-servers", broker.bootstrapServers, "--http-port", "0",
                "--kafka-property", "session.timeout.ms=6000", "--allow-http", "--callback-allow-cidr", "127.0.0.1/32",
                "--callback-allow-port", "\(port)", "--retry-delays", "200ms", "--max-delivery-age", "1s",
            ],
            environment: ["KINFER_WEBHOOK_SECRET": Self.secret]
        )
        try await notifier.waitForOutput(containing: "partitions assigned", on: .standardError, timeout: .seconds(60))
        return notifier
    }

    @Test("The notifier killed with SIGKILL twice while 3,000 callbacks flow: every one delivered; given-up callbacks listed with dlq list --callbacks and delivered after dlq replay --callbacks")
    func sigkillThenReplay() async throws {
        let broker = try await RunningBroker.start(partitions: 4)
        defer { Task { await broker.stop() } }
        let deliveries = Deliveries()
        try await LocalReceiver.withReceiver({ _, request in deliveries.answer(request.head.uri) }) { receiver in
            let total = 3_000
            let goneCount = 20
            let results = (0..<total).map { index in
                let kind = index < goneCount ? "gone" : "ok"
                return JobResult(
                    jobID: "job-\(index)", status: .completed, output: ModelOutput(label: "1", confidence: 1, scores: [0, 1]),
                    attempts: 1, model: "digits", modelVersion: "1", worker: "w", submittedAt: Date(), completedAt: Date(),
                    callbackURL: "http://127.0.0.1:\(receiver.port)/\(kind)/job-\(index)"
                )
            }
            let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [broker.bootstrapServers]))
            for result in results {
                try await producer.enqueue(KafkaProducerMessage(topic: JobTopics().results, key: result.jobID, value: JobCodec.encode(result))) { _ in }
            }
            try await producer.flush(timeout: .seconds(60))
            await producer.close()

            let healthy = Set(results.dropFirst(goneCount).map { "/ok/\($0.jobID)" })
            for crash in 1...2 {
                let notifier = try await self.startNotifier(broker, port: receiver.port)
                let target = deliveries.delivered.count + Int.random(in: 300...900)
                try await waitUntil("deliveries grow before crash \(crash)", timeout: .seconds(120)) { deliveries.delivered.count >= target }
                notifier.send(signal: SIGKILL)
                #expect(try await notifier.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
            }
            let clean = try await self.startNotifier(broker, port: receiver.port)
            try await waitUntil("every healthy callback is delivered", timeout: .seconds(120)) { healthy.isSubset(of: deliveries.delivered) }
            print("notifier crashes: \(deliveries.requests) requests for \(total) callbacks")

            let gone = Set(results.prefix(goneCount).map(\.jobID))
            var listed: Set<String> = []
            try await waitUntil("the given-up callbacks are listed", timeout: .seconds(60)) {
                let list = try await broker.kinfer(["dlq", "list", "--callbacks", "--json"])
                listed = Set(list.outputLines.compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["job_id"] as? String
                })
                return listed == gone
            }
            deliveries.acceptGone()
            let replay = try await broker.kinfer(["dlq", "replay", "--callbacks"])
            #expect(replay.standardOutputText.contains("onto inference-results.callbacks.retry"), "\(replay)")
            try await waitUntil("replayed callbacks are delivered", timeout: .seconds(60)) {
                Set(gone.map { "/gone/\($0)" }).isSubset(of: deliveries.delivered)
            }
            clean.send(signal: SIGTERM)
            #expect(try await clean.waitForExit(timeout: .seconds(30)) == .exited(0))
            #expect(deliveries.delivered.count == total)
        }
    }
}
