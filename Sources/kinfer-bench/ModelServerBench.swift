import ArgumentParser
import EmbeddedKafka
import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import JobClient
import Kafka
import OpenInferenceModels
import Synchronization

/// `model-server`: one in-process `InferenceWorker` whose model is served by an Open Inference Protocol server
/// (MLServer in the README), at several maximum batch sizes: what dynamic batching buys against a real server.
struct ModelServerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-server",
        abstract: "InferenceWorker jobs/s and model-call latency through a model server (Open Inference Protocol) by max batch size."
    )

    @Option(help: "The model's URL, e.g. http://127.0.0.1:8080/v2/models/digits (start one with scripts/serve-digits).")
    var modelURL: String

    @Option(help: "Digit jobs per batch size (the held-out images, cycled).")
    var jobs = 5_000

    @Option(help: "Maximum batch sizes to measure, comma-separated.")
    var batchSizes = "1,8,32,128"

    @Option(help: "Model calls (HTTP requests) in flight at once: the worker's concurrent batches and the client's limit.")
    var concurrency = 4

    @Option(help: "Seconds without progress after which a batch size fails.")
    var idleTimeout = 60

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    var sizes: [Int] { batchSizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard jobs > 0, concurrency > 0, !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--jobs, --concurrency and every --batch-sizes value must be positive")
        }
    }

    func run() async throws {
        var modelConfiguration = try OpenInferenceModel.Configuration(url: modelURL)
        modelConfiguration.maxConcurrentRequests = concurrency
        modelConfiguration.maxConnections = concurrency
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        let testSet = try DigitsTestSet()
        var report = BenchmarkReport()
        let (model, notes) = try await OpenInferenceModel.withModel(modelConfiguration, logger: benchLogger) { model in
            var notes: [String] = []
            for size in sizes {
                let (line, note) = try await measure(maxBatchSize: size, model: model, cluster: cluster, testSet: testSet)
                report.add(line)
                notes.append(note)
            }
            return (model, notes)
        }
        report.notes = [
            "model \(model.name) (\(model.version)) at \(model.endpoint), \(model.datatype.rawValue) [batch, \(model.inputLength.map(String.init) ?? "?")] tensors, outputs \(model.outputs); \(concurrency) model calls in flight at most.",
            "embedded cluster of 3 brokers in this process; \(jobs) digit jobs preloaded per batch size; one InferenceWorker, batch delay 5 ms, otherwise default WorkerConfiguration; rate timed from the first completed job to the last.",
            "p50/p99: latency of one model call (one HTTP request for a whole batch), from sending to the decoded answer.",
        ] + notes
        report.print(json: json)
    }

    private func measure(maxBatchSize: Int, model: OpenInferenceModel, cluster: EmbeddedKafkaCluster, testSet: DigitsTestSet) async throws -> (BenchmarkLine, String) {
        let topics = JobTopics(
            jobs: "bench-oip-\(maxBatchSize)-jobs-\(runID)", results: "bench-oip-\(maxBatchSize)-results-\(runID)",
            retry: "bench-oip-\(maxBatchSize)-retry-\(runID)", deadLetter: "bench-oip-\(maxBatchSize)-dlq-\(runID)"
        )
        for topic in [topics.jobs, topics.results] { try cluster.createTopic(topic, partitions: 8) }
        for topic in [topics.retry, topics.deadLetter] { try cluster.createTopic(topic, partitions: 2) }
        let producer = try JobProducer(configuration: cluster.producerConfiguration(), topics: topics)
        let inputs = testSet.inputs
        _ = try await producer.submit((0..<jobs).map { index in
            InferenceJob(jobID: "bench-oip-\(maxBatchSize)-\(index)", model: model.name, inputs: inputs[index % inputs.count], submittedAt: Date())
        })
        await producer.close()

        var configuration = WorkerConfiguration(workerName: "bench-worker")
        configuration.topics = topics
        configuration.maxBatchSize = maxBatchSize
        configuration.maxConcurrentBatches = concurrency
        let timed = TimedModel(model)
        let worker = try InferenceWorker(
            consumerConfiguration: cluster.consumerConfiguration(group: "bench-oip-\(maxBatchSize)-\(runID)"),
            producerConfiguration: cluster.producerConfiguration(),
            configuration: configuration,
            models: ModelCatalog([timed]),
            logger: benchLogger
        )
        let (seconds, peak) = try await timeWorker(worker, until: jobs, idleTimeout: idleTimeout, subject: "batch size \(maxBatchSize)")
        let counters = worker.counters
        let samples = timed.samples
        let line = BenchmarkLine(
            benchCase: "model-server", subject: "batch \(maxBatchSize)", rate: Double(jobs) / seconds, unit: "jobs/s",
            p50Milliseconds: samples.percentile(50), p99Milliseconds: samples.percentile(99),
            peakRSSMegabytes: peak, count: jobs, seconds: seconds
        )
        let meanBatch = counters.batches > 0 ? Double(counters.batchedJobs) / Double(counters.batches) : 0
        let note = String(format: "batch %d: %d model calls, mean batch %.1f jobs, %d retried.", maxBatchSize, samples.count, meanBatch, counters.retried)
        return (line, note)
    }
}

/// The model, with the latency of every call recorded.
private struct TimedModel: InferenceModel {
    let model: OpenInferenceModel
    private let recorded = SharedSamples()

    init(_ model: OpenInferenceModel) {
        self.model = model
    }

    var name: String { model.name }
    var version: String { model.version }
    var inputLength: Int? { model.inputLength }
    var samples: LatencySamples { recorded.mutex.withLock { $0 } }

    func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        try await timed { try await model.predict(batch) }
    }

    func predictEach(_ batch: [ModelInput]) async throws -> [Result<ModelOutput, ModelFailure>] {
        try await timed { try await model.predictEach(batch) }
    }

    func failureClass(of error: any Error) -> FailureClass { model.failureClass(of: error) }

    private func timed<T>(_ call: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        let result = try await call()
        let elapsed = ContinuousClock.now - start
        recorded.mutex.withLock { $0.record(elapsed) }
        return result
    }

    private final class SharedSamples: Sendable {
        let mutex = Mutex(LatencySamples(capacity: 8_192))
    }
}
