import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import Kafka
import KinferTestSupport
import Testing

@Suite("Worker failures: poison, retries, bisection, deadlines")
struct FailureTests {
    let testSet: DigitsTestSet
    let digits: DigitsClassifier

    init() throws {
        testSet = try DigitsTestSet()
        digits = try DigitsClassifier()
    }

    @Test("Every kind of bad message is dead-lettered with its reason; good jobs complete; the worker keeps running")
    func poison() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        var configuration = pipeline.workerConfiguration()
        configuration.maxMessageBytes = 8_192
        let running = try pipeline.startWorker(configuration, models: ModelCatalog([digits]))

        let good = digitJobs(1_000, testSet: testSet)
        let features = testSet.inputs[0].features.map { "\(Int($0))" }.joined(separator: ",")
        let bad: [(name: String, key: [UInt8]?, value: [UInt8]?, jobID: String?)] = [
            ("not JSON", Array("bad-1".utf8), Array("{not json".utf8), nil),
            ("no value", Array("bad-2".utf8), nil, nil),
            ("empty value", Array("bad-3".utf8), [], nil),
            ("not an object", Array("bad-4".utf8), Array("[1,2,3]".utf8), nil),
            ("no job ID", Array("bad-5".utf8), Array(#"{"features":[\#(features)]}"#.utf8), nil),
            ("features not numbers", Array("bad-6".utf8), Array(#"{"job_id":"bad-6","features":["a","b"]}"#.utf8), "bad-6"),
            ("wrong input length", Array("bad-7".utf8), Array(#"{"job_id":"bad-7","features":[1,2,3]}"#.utf8), "bad-7"),
            ("unknown model", Array("bad-8".utf8), Array(#"{"job_id":"bad-8","model":"nope","features":[\#(features)]}"#.utf8), "bad-8"),
            ("oversized", Array("bad-9".utf8), Array(#"{"job_id":"bad-9","features":[\#(features)],"pad":"\#(String(repeating: "x", count: 9_000))"}"#.utf8), nil),
        ]
        try await pipeline.produceRaw(bad.map { ($0.key, $0.value) })
        _ = try await pipeline.submit(good)

        let deadLetters = try await pipeline.readDeadLetters(count: bad.count)
        #expect(deadLetters.count == bad.count)
        for item in bad {
            let letter = try #require(deadLetters.first { $0.key == item.key }, "dead letter for \(item.name)")
            #expect(letter.value == item.value, "\(item.name) is dead-lettered unchanged")
            #expect(letter.headers.first(JobHeaders.errorClass) == "poison", "\(item.name)")
            #expect(!(letter.headers.first(JobHeaders.errorMessage) ?? "").isEmpty, "\(item.name) has a reason")
            #expect(letter.headers.first(JobHeaders.originalTopic) == pipeline.topics.jobs)
        }

        // The worker is still running: a job submitted after the poison completes too.
        let late = digitJobs(1, testSet: testSet)
        _ = try await pipeline.submit(late)
        let expectedIDs = Set((good + late).map(\.jobID))
        let failedIDs = Set(bad.compactMap(\.jobID))
        let results = try await pipeline.readResults { results in
            let ids = Set(results.map(\.jobID))
            return expectedIDs.isSubset(of: ids) && failedIDs.isSubset(of: ids)
        }
        for result in results where expectedIDs.contains(result.jobID) {
            #expect(result.status == .completed)
        }
        for result in results where failedIDs.contains(result.jobID) {
            #expect(result.status == .failed)
            #expect(result.error?.errorClass == .poison)
        }
        try await running.stop()
    }

    @Test("Jobs failing their first two attempts complete on the third; always-failing ones are dead-lettered after maxAttempts")
    func retries() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        let model = SimulatedModel()
        var configuration = pipeline.workerConfiguration()
        configuration.maxAttempts = 3
        let running = try pipeline.startWorker(configuration, models: ModelCatalog([model]))

        func job(_ input: ModelInput) -> InferenceJob {
            InferenceJob(jobID: JobID.make(), model: "simulated", inputs: input, submittedAt: Date())
        }
        let input = ModelInput(features: [1, 2, 3])
        let healthy = (0..<20).map { _ in job(input) }
        // Distinct inputs: the simulated model counts failures per input.
        let flaky = (0..<10).map { index in job(ModelInput(features: [Double(index), 7]).simulating(.first(times: 2, .retryable))) }
        let hopeless = (0..<5).map { _ in job(input.simulating(.always(.retryable))) }
        let fatal = (0..<5).map { _ in job(input.simulating(.always(.fatal))) }
        let receipts = try await pipeline.submit(healthy + flaky + hopeless + fatal)
        let receiptByID = Dictionary(uniqueKeysWithValues: receipts.map { ($0.jobID, $0) })

        let all = Set((healthy + flaky + hopeless + fatal).map(\.jobID))
        let results = try await pipeline.readResults { Set($0.map(\.jobID)) == all }
        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        for job in healthy { #expect(byID[job.jobID]?.status == .completed && byID[job.jobID]?.attempts == 1) }
        for job in flaky { #expect(byID[job.jobID]?.status == .completed && byID[job.jobID]?.attempts == 3) }
        for job in hopeless {
            #expect(byID[job.jobID]?.status == .failed && byID[job.jobID]?.attempts == 3)
            #expect(byID[job.jobID]?.error?.errorClass == .retryable)
        }
        for job in fatal {
            #expect(byID[job.jobID]?.status == .failed && byID[job.jobID]?.attempts == 1, "fatal failures skip retries")
            #expect(byID[job.jobID]?.error?.errorClass == .fatal)
        }

        let deadLetters = try await pipeline.readDeadLetters(count: hopeless.count + fatal.count)
        #expect(deadLetters.count == hopeless.count + fatal.count)
        for letter in deadLetters {
            let jobID = try #require(letter.keyString)
            let receipt = try #require(receiptByID[jobID])
            #expect(letter.headers.first(JobHeaders.originalTopic) == pipeline.topics.jobs)
            #expect(letter.headers.first(JobHeaders.originalPartition) == "\(receipt.partition)")
            #expect(letter.headers.first(JobHeaders.originalOffset) == "\(receipt.offset)")
            #expect(["retryable", "fatal"].contains(letter.headers.first(JobHeaders.errorClass) ?? ""))
            #expect(!(letter.headers.first(JobHeaders.errorMessage) ?? "").isEmpty)
        }
        #expect(running.worker.counters.retried == flaky.count * 2 + hopeless.count * 2)
        try await running.stop()
    }

    @Test("A batch of 64 with one job that makes the model throw: the other 63 complete on their first attempt")
    func bisection() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 1)
        var configuration = pipeline.workerConfiguration()
        configuration.maxBatchSize = 64
        configuration.maxBatchDelay = .seconds(2)
        configuration.maxAttempts = 1
        let input = ModelInput(features: [1, 2, 3])
        var jobs = (0..<64).map { _ in InferenceJob(jobID: JobID.make(), model: "simulated", inputs: input, submittedAt: Date()) }
        jobs[37].inputs = input.simulating(.wholeBatch)
        _ = try await pipeline.submit(jobs)
        let running = try pipeline.startWorker(configuration, models: ModelCatalog([SimulatedModel()]))

        let results = try await pipeline.readResults { Set($0.map(\.jobID)).count == 64 }
        try await running.stop()
        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, job) in jobs.enumerated() {
            let result = try #require(byID[job.jobID])
            if index == 37 {
                #expect(result.status == .failed)
            } else {
                #expect(result.status == .completed && result.attempts == 1, "job \(index)")
            }
        }
        #expect(running.worker.counters.batches == 1, "one model batch before bisection")
    }

    @Test("A job whose deadline has passed gets an expired result and skips the model")
    func deadline() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 1)
        let running = try pipeline.startWorker(pipeline.workerConfiguration(), models: ModelCatalog([digits]))
        let input = testSet.inputs[0]
        let stale = InferenceJob(jobID: JobID.make(), model: "digits", inputs: input, submittedAt: Date(), deadline: Date().addingTimeInterval(-1))
        let timedOut = InferenceJob(jobID: JobID.make(), model: "digits", inputs: input, submittedAt: Date().addingTimeInterval(-10), timeoutMs: 1_000)
        let fresh = InferenceJob(jobID: JobID.make(), model: "digits", inputs: input, submittedAt: Date(), deadline: Date().addingTimeInterval(600))
        _ = try await pipeline.submit([stale, timedOut, fresh])
        let results = try await pipeline.readResults { Set($0.map(\.jobID)).count == 3 }
        try await running.stop()
        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID[stale.jobID]?.status == .expired)
        #expect(byID[timedOut.jobID]?.status == .expired)
        #expect(byID[stale.jobID]?.output == nil)
        #expect(byID[fresh.jobID]?.status == .completed)
        #expect(running.worker.counters.expired == 2)
    }
}
