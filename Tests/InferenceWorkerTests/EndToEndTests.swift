import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import JobClient
import KinferTestSupport
import Testing

@Suite("Worker end to end on the embedded cluster")
struct EndToEndTests {
    @Test("10,000 digit jobs through two workers: exactly the submitted IDs come back, each with the model's own label")
    func twoWorkers() async throws {
        let pipeline = try Pipeline()
        let testSet = try DigitsTestSet()
        let model = try DigitsClassifier()
        let jobs = digitJobs(10_000, testSet: testSet)
        let expected = try Dictionary(uniqueKeysWithValues: jobs.map { ($0.jobID, try model.predict($0.inputs).classification?.label ?? "") })

        let first = try pipeline.startWorker(pipeline.workerConfiguration(name: "w1"), models: ModelCatalog([model]))
        let second = try pipeline.startWorker(pipeline.workerConfiguration(name: "w2"), models: ModelCatalog([model]))
        // A settled group: this test is about throughput and labels; GroupTests covers members joining mid-run.
        try await waitUntil("both workers own partitions", timeout: .seconds(60)) {
            !first.worker.assignment.isEmpty && !second.worker.assignment.isEmpty
                && first.worker.assignment.isDisjoint(with: second.worker.assignment)
        }
        _ = try await pipeline.submit(jobs)

        let results = try await pipeline.readResults { results in
            Set(results.map(\.jobID)).count >= expected.count
        }
        try await first.stop()
        try await second.stop()

        #expect(Set(results.map(\.jobID)) == Set(expected.keys))
        for result in results {
            #expect(result.status == .completed)
            #expect(result.output?.classification?.label == expected[result.jobID], "label of \(result.jobID)")
        }
        #expect(first.worker.counters.completed + second.worker.counters.completed >= 10_000)
        #expect(first.worker.counters.completed > 0 && second.worker.counters.completed > 0, "both workers took part")
        #expect(first.worker.inFlightCount == 0 && second.worker.inFlightCount == 0)
    }

    @Test("A job's traceparent header comes back on its result unchanged; a job without one gets none")
    func traceparent() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 2)
        let testSet = try DigitsTestSet()
        let running = try pipeline.startWorker(pipeline.workerConfiguration(), models: ModelCatalog([try DigitsClassifier()]))
        let jobs = digitJobs(2, testSet: testSet)
        let trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let producer = try JobProducer(configuration: pipeline.cluster.producerConfiguration(), topics: pipeline.topics)
        _ = try await producer.submit(jobs[0], traceparent: trace)
        _ = try await producer.submit(jobs[1])
        await producer.close()

        let messages = try await pipeline.readResultMessages(count: 2)
        try await running.stop()
        let traced = try #require(messages.first { $0.keyString == jobs[0].jobID })
        let untraced = try #require(messages.first { $0.keyString == jobs[1].jobID })
        #expect(traced.headers.first(JobHeaders.traceparent) == trace)
        #expect(traced.headers.filter { $0.key == JobHeaders.traceparent }.count == 1)
        #expect(!untraced.headers.contains { $0.key == JobHeaders.traceparent })
    }
}
