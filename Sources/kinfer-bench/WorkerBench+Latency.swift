import EmbeddedKafka
import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import JobClient
import Kafka

extension WorkerBench {
    /// End-to-end latency below the peak: jobs are submitted at `rate` per second while one worker runs, and a
    /// reader on the results topic takes, for each result, the time from the job's `submitted_at` until the
    /// result is readable (`submitted_at` has millisecond resolution).
    func swiftLatency(cluster: EmbeddedKafkaCluster, rate: Double) async throws -> BenchmarkLine {
        let topics = try createTopics("latency", on: cluster)
        let count = latencyMessages
        let worker = try makeWorker("latency", on: cluster, topics: topics, model: SimulatedModel())
        let reader = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: "bench-reader-\(runID)"), logger: benchLogger)
        try reader.subscribe(topics: [topics.results])
        let running = Task { try await worker.run() }
        defer { worker.shutdown() }
        try await waitFor("the worker and the reader to be assigned") { !worker.assignment.isEmpty && !reader.assignment.isEmpty }

        let reading = Task { () throws -> LatencySamples in
            var samples = LatencySamples(capacity: count)
            for try await batch in reader.batches() {
                let now = Date()
                for message in batch {
                    let result = try JobCodec.decodeResult(message.value)
                    samples.record(.milliseconds(Int64((now.timeIntervalSince(result.submittedAt) * 1000).rounded())))
                }
                if samples.count >= count { break }
            }
            return samples
        }

        let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: benchLogger)
        let jobs = JobProducer(producer: producer, topics: topics)
        let clock = ContinuousClock()
        let start = clock.now
        var submitted = 0
        while submitted < count {
            // Every millisecond, submit the jobs due by now (a steady rate, not bursts of seconds).
            let due = min(count, Int((clock.now - start).seconds * rate) + 1)
            if due > submitted {
                _ = try await jobs.submit((submitted..<due).map { Self.job($0, run: "latency-\(runID)") })
                submitted = due
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let sendSeconds = (clock.now - start).seconds
        await producer.close()
        try await waitFor("every result to be read", timeout: .seconds(idleTimeout)) { worker.counters.completed >= count }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(idleTimeout))
            await reader.close()
        }
        let samples = try await reading.value
        watchdog.cancel()
        await reader.close()
        worker.shutdown()
        try await running.value
        guard samples.count >= count else { throw BenchFailure("latency: \(samples.count) of \(count) results read") }
        return BenchmarkLine(
            benchCase: "worker", subject: "swift-latency", rate: Double(count) / sendSeconds, unit: "jobs/s",
            p50Milliseconds: samples.percentile(50), p99Milliseconds: samples.percentile(99),
            count: count, seconds: sendSeconds
        )
    }

    /// Polls `condition` every 10 ms until it holds, or fails after `timeout`.
    private func waitFor(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw BenchFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
