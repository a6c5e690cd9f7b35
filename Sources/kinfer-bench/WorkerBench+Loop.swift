import Foundation
import InferenceJobs
import Kafka
import Synchronization

/// The `swift-loop` and `swift-loop-json` subjects: the C worker loop written in Swift over kinfer's Kafka wrappers,
/// without and with the job contract's JSON. Between `c` and `swift` they split the worker's cost three ways: the
/// Swift client (`c` → `swift-loop`), the JSON (`swift-loop` → `swift-loop-json`), and the worker's own machinery
/// (`swift-loop-json` → `swift`: batching, the in-flight ledger, outcomes, metrics, tasks).
extension WorkerBench {
    /// Consumes batches of up to 1,024 jobs; for each, produces a result to the job's partition (a fixed one, or with
    /// `json` the job decoded and its result encoded, with the two headers, as the worker does) and stores the job's offset on the result's
    /// delivery report; commits every 100 ms. Timed from the first job read to the last delivery report.
    func swiftLoop(cluster: EmbeddedKafkaCluster, json: Bool, resultSize: Int) async throws -> BenchmarkLine {
        let subject = json ? "swift-loop-json" : "swift-loop"
        let topics = topics(subject)
        try cluster.createTopic(topics.jobs, partitions: partitionCount)
        try cluster.createTopic(topics.results, partitions: partitionCount)
        try await preload(cluster: cluster, topic: topics.jobs, count: messages, run: "\(subject)-\(runID)")
        var consumerConfiguration = cluster.consumerConfiguration(group: "bench-worker-\(subject)-\(runID)")
        consumerConfiguration.properties["enable.auto.commit"] = "false"
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: benchLogger)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: benchLogger)
        let deliveries = LoopDeliveries()
        let fixedResult = [UInt8](repeating: UInt8(ascii: "r"), count: resultSize)
        let resultHeaders = [  // as the worker's results carry
            KafkaHeader(key: JobHeaders.contentType, string: JobHeaders.contentTypeJSON),
            KafkaHeader(key: JobHeaders.schemaVersion, string: JobHeaders.currentSchemaVersion),
        ]
        let output = ModelOutput(label: "3", confidence: 0.75, scores: [Double](repeating: 0.025, count: 10))
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
        defer { committing.cancel() }
        let clock = ContinuousClock()
        var first: ContinuousClock.Instant?
        var taken = 0
        reading: for try await batch in consumer.batches(maxCount: 1024) {
            if first == nil { first = clock.now }
            for message in batch {
                var value = fixedResult
                var headers: [KafkaHeader] = []
                if json {
                    let startedAt = Date()
                    let job = try message.withUnsafeValue { bytes throws(JobDecodingError) in
                        try JobCodec.decodeJob(bytes, fallbackSubmittedAt: startedAt)
                    }
                    value = JobCodec.encode(JobResult(
                        jobID: job.jobID, status: .completed, output: output, attempts: job.attempt,
                        model: "simulated", modelVersion: "simulated-1", worker: "bench-loop",
                        submittedAt: job.submittedAt, startedAt: startedAt, completedAt: Date()
                    ))
                    headers = resultHeaders
                }
                let (partition, offset) = (message.topicPartition, message.offset)
                let result = KafkaProducerMessage(topic: topics.results, partition: message.partition, key: message.key, value: value, headers: headers)
                try await producer.enqueue(result) { outcome in deliveries.record(outcome, partition: partition, offset: offset) }
                taken += 1
                if taken == messages { break reading }
            }
        }
        let last = try await waitForDeliveries(deliveries, count: messages)
        let peak = PeakRSS.megabytes
        committing.cancel()
        _ = await committing.result
        await consumer.close()
        await producer.close()
        let cpuPerJob = (ProcessCPU.ownSeconds - cpu) / Double(messages) * 1e6
        let seconds = (last - first!).seconds
        return BenchmarkLine(
            benchCase: "worker", subject: subject, rate: Double(messages) / seconds, unit: "jobs/s",
            peakRSSMegabytes: peak, cpuMicroseconds: cpuPerJob, count: messages, seconds: seconds
        )
    }

    /// Waits until `count` results are delivered; returns when the last one was. Fails on a failed delivery or
    /// when none arrives for `idleTimeout` seconds.
    private func waitForDeliveries(_ deliveries: LoopDeliveries, count: Int) async throws -> ContinuousClock.Instant {
        _ = try await timeCompletions(until: count, idleTimeout: idleTimeout, every: .milliseconds(1), subject: "swift-loop") {
            let (delivered, failed, _) = deliveries.progress
            guard failed == 0 else { throw BenchFailure("swift-loop: \(failed) results not delivered") }
            return delivered
        }
        return deliveries.progress.last!
    }
}

/// What the loop's delivery reports have acknowledged: per partition the offset to commit next, and counts.
/// Reports of one partition arrive in order (idempotent producer, one result partition per job partition).
private final class LoopDeliveries: Sendable {
    private struct State {
        var offsets: [KafkaTopicPartition: Int64] = [:]
        var delivered = 0
        var failed = 0
        var last: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    func record(_ outcome: Result<KafkaDeliveryReport, KafkaError>, partition: KafkaTopicPartition, offset: Int64) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard case .success = outcome else {
                state.failed += 1
                return
            }
            state.offsets[partition] = offset + 1
            state.delivered += 1
            state.last = now
        }
    }

    func takeOffsets() -> [KafkaTopicPartition: Int64] {
        state.withLock { state in
            defer { state.offsets.removeAll(keepingCapacity: true) }
            return state.offsets
        }
    }

    var progress: (delivered: Int, failed: Int, last: ContinuousClock.Instant?) {
        state.withLock { ($0.delivered, $0.failed, $0.last) }
    }
}
