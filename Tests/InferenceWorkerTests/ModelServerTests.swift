import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import Kafka
import KinferTestSupport
import OpenInferenceModels
import Testing

@Suite("Worker with a model behind MLServer (Open Inference Protocol)", .serialized, .modelServer)
struct ModelServerTests {
    let testSet: DigitsTestSet

    init() throws {
        testSet = try DigitsTestSet()
    }

    @Test("5,000 digit jobs through MLServer: each label is MLServer's own answer, and held-out accuracy is at least 0.95")
    func digitsThroughMLServer() async throws {
        let server = try ModelServerFixture.server()
        let answers = try await mlserverAnswers(server, testSet.features)
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        let jobs = digitJobs(5_000, testSet: testSet)
        let (results, counters) = try await OpenInferenceModel.withModel(try .init(url: server.modelURL("digits"))) { model in
            #expect(model.inputLength == 64, "the declared [-1, 64] input")
            #expect(model.outputs == ["predict", "predict_proba"])
            let worker = try pipeline.startWorker(pipeline.workerConfiguration(), models: ModelCatalog([model]))
            _ = try await pipeline.submit(jobs)
            let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= jobs.count }
            try await worker.stop()
            return (results, worker.worker.counters)
        }

        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(Set(byID.keys) == Set(jobs.map(\.jobID)))
        var correct = 0
        for (index, job) in jobs.enumerated() {
            let result = try #require(byID[job.jobID])
            let image = index % testSet.count
            #expect(result.status == .completed)
            #expect(result.output?.classification?.label == answers[image], "job \(index): MLServer says \(answers[image])")
            #expect(result.modelVersion == ModelServerFixture.Server.version)
            if result.output?.classification?.label == testSet.labels[image] { correct += 1 }
        }
        let accuracy = Double(correct) / Double(jobs.count)
        #expect(accuracy >= 0.95, "accuracy \(accuracy)")
        #expect(counters.retried == 0 && counters.deadLettered == 0)
    }

    @Test("MLServer stopped mid-run and started again: jobs in flight retry and complete, none lost or dead-lettered")
    func outage() async throws {
        let server = try ModelServerFixture.server()
        var modelConfiguration = try OpenInferenceModel.Configuration(url: server.modelURL("digits"))
        modelConfiguration.requestTimeout = .seconds(2)
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        var configuration = pipeline.workerConfiguration()
        // A retry budget of at least 26 s (20 attempts, delays of 250 ms doubling to 3 s, jitter halving them at
        // worst) against an outage of a stop plus a start, about 10 s.
        configuration.maxAttempts = 20
        configuration.retryBaseDelay = .milliseconds(250)
        configuration.retryMaxDelay = .seconds(3)
        let before = digitJobs(500, testSet: testSet)
        let during = digitJobs(1_500, testSet: testSet)
        let submitted = Set((before + during).map(\.jobID))

        let (results, counters) = try await OpenInferenceModel.withModel(modelConfiguration) { model in
            let worker = try pipeline.startWorker(configuration, models: ModelCatalog([model]))
            let counters = worker.worker.counters
            _ = try await pipeline.submit(before)
            try await waitUntil("results before the outage", timeout: .seconds(60)) { counters.completed >= 100 }
            #expect(await model.notReadyReason() == nil, "the readiness probe behind the worker's /readyz")
            await server.mlserver.stop()
            #expect(await model.notReadyReason()?.contains("model server") == true)
            _ = try await pipeline.submit(during)
            try await waitUntil("jobs failing during the outage", timeout: .seconds(30)) { counters.retried > 0 }
            try await server.mlserver.start()
            try await waitUntil("the probe sees the server again", timeout: .seconds(30)) { await model.notReadyReason() == nil }
            let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= submitted.count }
            try await worker.stop()
            return (results, counters)
        }

        #expect(Set(results.map(\.jobID)) == submitted)
        #expect(results.allSatisfy { $0.status == .completed }, "\(results.filter { $0.status != .completed }.prefix(3))")
        #expect(counters.deadLettered == 0)
        #expect(counters.retried > 0)
        #expect(results.contains { $0.attempts > 1 }, "some results record their retries")
    }

    @Test("Inputs MLServer refuses as malformed are dead-lettered with its message, without retries; batch-mates complete")
    func malformed() async throws {
        let server = try ModelServerFixture.server()
        let pipeline = try Pipeline(brokers: 1, partitions: 1)
        var configuration = pipeline.workerConfiguration()
        configuration.maxBatchDelay = .milliseconds(200)  // good and bad jobs in the same batches
        var jobs = digitJobs(60, testSet: testSet).map { job -> InferenceJob in
            var job = job
            job.model = "digits-checked"
            return job
        }
        let malformed = [5, 30, 47]
        for index in malformed { jobs[index].inputs.features.removeLast() }

        let (results, deadLetters, counters) = try await OpenInferenceModel.withModel(try .init(url: server.modelURL("digits-checked"))) { model in
            #expect(model.inputLength == nil, "no declared input: only the server can refuse a length")
            let worker = try pipeline.startWorker(configuration, models: ModelCatalog([model]))
            _ = try await pipeline.submit(jobs)
            let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= jobs.count }
            let deadLetters = try await pipeline.readDeadLetters(count: malformed.count)
            try await worker.stop()
            return (results, deadLetters, worker.worker.counters)
        }

        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        let malformedIDs = Set(malformed.map { jobs[$0].jobID })
        for job in jobs {
            let result = try #require(byID[job.jobID])
            if malformedIDs.contains(job.jobID) {
                #expect(result.status == .failed)
                #expect(result.error?.errorClass == .fatal)
                #expect(result.error?.message.contains("digits-checked takes [batch, 64] inputs, got [1, 63]") == true, "\(result.error?.message ?? "")")
                #expect(result.attempts == 1)
            } else {
                #expect(result.status == .completed)
            }
        }
        #expect(Set(deadLetters.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }) == malformedIDs)
        for letter in deadLetters {
            #expect(letter.headers.first(JobHeaders.errorClass) == "fatal")
            #expect(letter.headers.first(JobHeaders.errorMessage)?.contains("answered 400: digits-checked takes [batch, 64] inputs") == true)
        }
        #expect(counters.retried == 0)
        #expect(counters.batches < jobs.count, "jobs were batched, not sent one by one")
    }

    /// MLServer's labels for `features`, asked directly with Python's standard library (no kinfer code involved).
    private func mlserverAnswers(_ server: ModelServerFixture.Server, _ features: [[Double]]) async throws -> [String] {
        let script = """
            import json, sys, urllib.request
            rows = json.load(sys.stdin)
            body = {"inputs": [{"name": "features", "datatype": "FP64", "shape": [len(rows), len(rows[0])],
                                "data": [value for row in rows for value in row]}]}
            request = urllib.request.Request(sys.argv[1] + "/infer", data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
            answer = json.load(urllib.request.urlopen(request, timeout=60))
            predict = next(output for output in answer["outputs"] if output["name"] == "predict")
            print(json.dumps([str(label) for label in predict["data"]]))
            """
        let input = try JSONSerialization.data(withJSONObject: features)
        let run = try await ChildProcess.run(server.python, ["-c", script, server.modelURL("digits")], input: input, timeout: .seconds(60))
        try run.requireSuccess()
        let answers = try JSONDecoder().decode([String].self, from: run.standardOutput)
        try #require(answers.count == features.count)
        return answers
    }
}
