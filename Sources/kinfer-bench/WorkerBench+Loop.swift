import EmbeddedKafka
import Foundation
import InferenceJobs
import Kafka
import Synchronization

/// The `swift-loop` and `swift-loop-json` subjects: the C worker loop written in Swift over kinfer's Kafka wrappers,
/// without and with the job contract's JSON. Between `c` and `swift` they split the worker's cost three ways: the
/// Swift client (`c` → `swift-loop`), the JSON (`swift-loop` → `swift-loop-json`), and the worker's own machinery
/// (`swift-loop-json` → `swift`: batching, the in-flight ledger, outcomes, metrics, tasks).
extension WorkerBench {
    /// Consumes batches of up to 1,024 jobs; for each, produces a result to the job's partition and stores the job's
    /// offset on the result's delivery report; commits every 100 ms. The result is a fixed one, or with `json` the
    /// job decoded and its result encoded, with the two headers, as the worker does. Timed from the first job read to
    /// the last delivery report.
    func swiftLoop(cluster: EmbeddedKafkaCluster, json: Bool, resultSize: Int) async throws -> BenchmarkLine {
        let subject = json ? "swift-loop-json" : "swift-loop"
        let (topics, consumer, producer) = try await loopClients(subject, jobs: messages, on: cluster)
        let deliveries = LoopDeliveries()
        let fixedResult = [UInt8](repeating: UInt8(ascii: "r"), count: resultSize)
        let resultHeaders = [  // as the worker's results carry
            KafkaHeader(key: JobHeaders.contentType, string: JobHeaders.contentTypeJSON),
            KafkaHeader(key: JobHeaders.schemaVersion, string: JobHeaders.currentSchemaVersion),
        ]
        let output = ModelOutput(label: "3", confidence: 0.75, scores: [Double](repeating: 0.025, count: 10))
        let makeResult: @Sendable (KafkaConsumerMessage) throws -> KafkaProducerMessage = { message in
            guard json else {
                return KafkaProducerMessage(topic: topics.results, partition: message.partition, key: message.key, value: fixedResult)
            }
            let startedAt = Date()
            let job = try message.withUnsafeValue { bytes throws(JobDecodingError) in
                try JobCodec.decodeJob(bytes, fallbackSubmittedAt: startedAt)
            }
            let value = JobCodec.encode(JobResult(
                jobID: job.jobID, status: .completed, output: output, attempts: job.attempt,
                model: "simulated", modelVersion: "simulated-1", worker: "bench-loop",
                submittedAt: job.submittedAt, startedAt: startedAt, completedAt: Date()
            ))
            return KafkaProducerMessage(topic: topics.results, partition: message.partition, key: message.key, value: value, headers: resultHeaders)
        }
        let count = messages
        PeakRSS.reset()
        let cpu = ProcessCPU.ownSeconds
        try consumer.subscribe(topics: [topics.jobs])

        let committing = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let offsets = deliveries.takeOffsets()
                guard !offsets.isEmpty else { continue }
                try consumer.storeOffsets(offsets)
                try await consumer.commit()
            }
        }
        let reading = Task {
            var taken = 0
            do {
                for try await batch in consumer.batches(maxCount: 1024) {
                    deliveries.startClock()
                    for message in batch {
                        let (partition, offset) = (message.topicPartition, message.offset)
                        let result = try makeResult(message)
                        try await producer.enqueue(result) { outcome in deliveries.record(outcome, partition: partition, offset: offset) }
                        taken += 1
                        if taken == count { return }
                    }
                }
            } catch {
                deliveries.readingFailed(error)
            }
        }
        defer {
            reading.cancel()
            committing.cancel()
        }
        // Fails when a read fails or deliveries stop for `idleTimeout`.
        _ = try await timeCompletions(until: count, idleTimeout: idleTimeout, every: .milliseconds(1), subject: subject) {
            let (delivered, failed, readingFailure) = deliveries.progress
            guard failed == 0 else { throw BenchFailure("\(subject): \(failed) results not delivered") }
            if let readingFailure { throw BenchFailure("\(subject): reading jobs failed: \(readingFailure)") }
            return delivered
        }
        let peak = PeakRSS.megabytes
        committing.cancel()
        _ = await committing.result
        await consumer.close()
        await producer.close()
        let cpuPerJob = (ProcessCPU.ownSeconds - cpu) / Double(count) * 1e6
        let seconds = deliveries.span!.seconds
        return BenchmarkLine(
            benchCase: "worker", subject: subject, rate: Double(count) / seconds, unit: "jobs/s",
            peakRSSMegabytes: peak, cpuMicroseconds: cpuPerJob, count: count, seconds: seconds
        )
    }
}

/// What the loop's delivery reports have acknowledged: per partition the offset to commit next, counts, and the span
/// from the first job read to the last delivery. Reports of one partition arrive in order (idempotent producer, one
/// result partition per job partition).
private final class LoopDeliveries: Sendable {
    private struct State {
        var offsets: [KafkaTopicPartition: Int64] = [:]
        var delivered = 0
        var failed = 0
        var firstRead: ContinuousClock.Instant?
        var lastDelivered: ContinuousClock.Instant?
        var readingFailure: String?
    }
    private let state = Mutex(State())

    /// Marks the first job read; later calls change nothing.
    func startClock() {
        state.withLock { state in
            if state.firstRead == nil { state.firstRead = .now }
        }
    }

    func record(_ outcome: Result<KafkaDeliveryReport, KafkaError>, partition: KafkaTopicPartition, offset: Int64) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard case .success = outcome else {
                state.failed += 1
                return
            }
            state.offsets[partition] = offset + 1
            state.delivered += 1
            state.lastDelivered = now
        }
    }

    func readingFailed(_ error: any Error) {
        let description = "\(error)"
        state.withLock { $0.readingFailure = description }
    }

    func takeOffsets() -> [KafkaTopicPartition: Int64] {
        state.withLock { state in
            defer { state.offsets.removeAll(keepingCapacity: true) }
            return state.offsets
        }
    }

    var progress: (delivered: Int, failed: Int, readingFailure: String?) {
        state.withLock { ($0.delivered, $0.failed, $0.readingFailure) }
    }

    /// From the first job read to the last delivery report.
    var span: Duration? {
        state.withLock { state in state.firstRead.flatMap { first in state.lastDelivered.map { $0 - first } } }
    }
}
