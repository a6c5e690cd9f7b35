import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import Logging
import ResultStore
import ResultsSink
import Testing

@Suite("kinfer sink crashes", .serialized)
struct SinkCrashTests {
    @Test("The sink killed with SIGKILL three times mid-stream, then restarted: exactly one row per job, none missing")
    func sigkill() async throws {
        let broker = try await RunningBroker.start(partitions: 8)
        defer { Task { await broker.stop() } }
        let total = 30_000
        let now = Date()
        let results = (0..<total).map { index in
            JobResult(
                jobID: "job-\(index)", status: .completed, output: ModelOutput(label: "\(index % 10)", confidence: 0.9, scores: [0.9]),
                attempts: 1, model: "digits", modelVersion: "1", worker: "w", submittedAt: now, completedAt: now
            )
        }
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [broker.bootstrapServers]))
        for result in results {
            try await producer.enqueue(KafkaProducerMessage(topic: "inference-results", key: result.jobID, value: JobCodec.encode(result))) { _ in }
        }
        try await producer.flush(timeout: .seconds(60))
        await producer.close()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-sink-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = "sqlite://" + directory.appendingPathComponent("results.db").path
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let arguments = [
            "sink", "--bootstrap-servers", broker.bootstrapServers, "--database", database,
            "--kafka-property", "session.timeout.ms=6000", "--max-batch-size", "200", "--http-port", "0",
        ]

        try await withResultStore(url: database, logger: logger) { store in
            var generator = SystemRandomNumberGenerator()
            for crash in 1...3 {
                let sink = try KinferBinary.launch(arguments)
                let target = try await store.count() + Int.random(in: 1_000...5_000, using: &generator)
                try await waitUntil("rows grow before crash \(crash)", timeout: .seconds(120), interval: .milliseconds(10)) {
                    try await store.count() >= min(target, total)
                }
                sink.send(signal: SIGKILL)
                #expect(try await sink.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
            }
            let sink = try KinferBinary.launch(arguments)
            try await waitUntil("every row written", timeout: .seconds(180)) { try await store.count() >= total }
            sink.send(signal: SIGTERM)
            #expect(try await sink.waitForExit(timeout: .seconds(30)) == .exited(0))
            #expect(try await store.count() == total)
            for index in stride(from: 0, to: total, by: 97) {
                #expect(try await store.result(for: "job-\(index)")?.result.output?.classification?.label == "\(index % 10)")
            }
        }
    }
}
