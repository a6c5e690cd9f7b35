import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import Kafka
import KinferTestSupport
import Logging
import ResultStore
import ResultsSink
import Testing

@Suite("Worker to sink")
struct WorkerToSinkTests {
    @Test("20,000 digit jobs through a worker and the sink into SQLite: 20,000 rows whose labels match the model")
    func digitsIntoSQLite() async throws {
        let pipeline = try Pipeline()
        let testSet = try DigitsTestSet()
        let model = try DigitsClassifier()
        let jobs = digitJobs(20_000, testSet: testSet)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

        try await withResultStore(url: "sqlite://\(directory.path)/results.db", logger: logger) { store in
            var configuration = SinkConfiguration()
            configuration.resultsTopic = pipeline.topics.results
            configuration.deadLetterTopic = "\(pipeline.topics.results).dlq"
            let sink = try ResultsSink(
                consumerConfiguration: pipeline.cluster.consumerConfiguration(group: "sink"),
                producerConfiguration: pipeline.cluster.producerConfiguration(),
                store: store, configuration: configuration, logger: logger
            )
            let sinkTask = Task { try await sink.run() }
            let worker = try pipeline.startWorker(pipeline.workerConfiguration(), models: ModelCatalog([model]))
            _ = try await pipeline.submit(jobs)
            try await waitUntil("20,000 rows", timeout: .seconds(180)) { try await store.count() >= jobs.count }
            try await worker.stop()
            sinkTask.cancel()
            try await sinkTask.value

            #expect(try await store.count() == jobs.count)
            for job in jobs.prefix(2_000) {
                let stored = try await store.result(for: job.jobID)
                let expected = try model.predict(job.inputs).classification?.label ?? ""
                #expect(stored?.result.status == .completed)
                #expect(stored?.result.output?.classification?.label == expected)
            }
        }
    }
}
