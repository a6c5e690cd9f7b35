import Foundation
import InferenceJobs
import JobClient
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("kinfer worker crashes", .serialized)
struct WorkerCrashTests {
    @Test("A worker killed with SIGKILL three times while 10,000 jobs flow: every job gets a result after a clean worker drains")
    func sigkill() async throws {
        let broker = try await RunningBroker.start(partitions: 8)
        defer { Task { await broker.stop() } }
        let total = 10_000
        let features = (0..<64).map { Double($0 % 17) }
        let jobs = (0..<total).map { _ in InferenceJob(jobID: JobID.make(), model: "digits", inputs: ModelInput(features: features), submittedAt: Date()) }
        let producer = try JobProducer(configuration: KafkaConfiguration(bootstrapServers: [broker.bootstrapServers]))
        _ = try await producer.submit(jobs)
        await producer.close()

        let results = try ResultCollector(bootstrapServers: broker.bootstrapServers)
        defer { Task { await results.close() } }
        var generator = SystemRandomNumberGenerator()
        for crash in 1...3 {
            let worker = try await broker.startWorker(["--worker-name", "crash-\(crash)", "--max-in-flight", "500"])
            let target = results.distinct + Int.random(in: 500...2_500, using: &generator)
            try await waitUntil("results grow before crash \(crash)", timeout: .seconds(120)) { results.distinct >= min(target, total) }
            worker.send(signal: SIGKILL)
            #expect(try await worker.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
        }
        let clean = try await broker.startWorker(["--worker-name", "clean"])
        try await waitUntil("every job has a result", timeout: .seconds(180)) { results.distinct >= total }
        clean.send(signal: SIGTERM)
        #expect(try await clean.waitForExit(timeout: .seconds(30)) == .exited(0))

        let seen = results.jobIDs
        #expect(Set(jobs.map(\.jobID)).subtracting(seen).isEmpty, "no job without a result")
        print("worker crashes: \(results.total) results for \(total) jobs, \(results.total - results.distinct) duplicates")
    }
}

/// Reads the results topic in the background and counts results per job ID.
final class ResultCollector: Sendable {
    private let consumer: KafkaConsumer
    private final class Counts: Sendable {
        let byJobID = Mutex<[String: Int]>([:])
    }
    private let counts = Counts()
    private let reader: Task<Void, Never>

    init(bootstrapServers: String) throws {
        var configuration = KafkaConfiguration(bootstrapServers: [bootstrapServers], properties: ["fetch.wait.max.ms": "10"])
        configuration.groupID = uniqueName("collector")
        configuration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe(topics: ["inference-results"])
        self.consumer = consumer
        let counts = self.counts
        reader = Task {
            do {
                for try await batch in consumer.batches() {
                    counts.byJobID.withLock { seen in
                        for message in batch { if let key = message.keyString { seen[key, default: 0] += 1 } }
                    }
                }
            } catch {}
        }
    }

    var distinct: Int { counts.byJobID.withLock { $0.count } }
    var total: Int { counts.byJobID.withLock { $0.values.reduce(0, +) } }
    var jobIDs: Set<String> { counts.byJobID.withLock { Set($0.keys) } }

    func close() async {
        await consumer.close()
        await reader.value
    }
}
