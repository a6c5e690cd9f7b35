import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import KinferTestSupport
import MetricsTestKit
import Testing

@Suite("Streaming generation through workers and the stream topic")
struct StreamingTests {
    @Test("200 streaming jobs of 100 tokens at 5 ms a token through two workers: each job's stream on the topic is its result's text, every index once and in order, fewer records than tokens")
    func twoWorkersStream() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        let model = SimulatedGenerator(configuration: .init(tokenInterval: .milliseconds(5), tokenCount: 100))
        let metrics = TestMetrics()
        let first = try pipeline.startWorker(pipeline.workerConfiguration(name: "w1"), models: ModelCatalog([model]), metricsFactory: metrics)
        let second = try pipeline.startWorker(pipeline.workerConfiguration(name: "w2"), models: ModelCatalog([model]))
        // A settled group: a rebalance mid-run may run a job twice (at least once), which the gateway's stream
        // state handles and StreamCrashTests covers; this test is about one run's stream.
        try await waitUntil("both workers own partitions", timeout: .seconds(60)) {
            !first.worker.assignment.isEmpty && !second.worker.assignment.isEmpty
                && first.worker.assignment.isDisjoint(with: second.worker.assignment)
        }
        let jobs = (0..<200).map { index in
            InferenceJob(jobID: "gen-\(index)", model: "generator", inputs: ModelInput(prompt: "prompt \(index % 7)"), submittedAt: Date(), stream: true)
        }
        // A plain job on the same model gets its result and no stream.
        let plain = InferenceJob(jobID: "gen-plain", model: "generator", inputs: ModelInput(prompt: "prompt 1", maxTokens: 10), submittedAt: Date())
        _ = try await pipeline.submit(jobs + [plain])

        let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= jobs.count + 1 }
        let chunks = try await pipeline.readStream { chunks in chunks.reduce(0) { $0 + $1.tokens.count } >= jobs.count * 100 }
        try await first.stop()
        try await second.stop()

        let resultByJob = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        let chunksByJob = Dictionary(grouping: chunks, by: \.jobID)
        #expect(chunksByJob["gen-plain"] == nil, "a job that did not ask to stream has no stream")
        #expect(resultByJob["gen-plain"]?.output?.generatedText?.tokens == 10)
        var wrong: [String] = []
        for job in jobs {
            guard let text = resultByJob[job.jobID]?.output?.generatedText else {
                wrong.append("\(job.jobID): no text result")
                continue
            }
            let records = chunksByJob[job.jobID] ?? []
            let runs = Set(records.map(\.run))
            let tokens = records.flatMap(\.tokens)
            let indices = records.flatMap { record in record.tokens.indices.map { record.index + $0 } }
            if runs.count != 1 || indices != Array(0..<100) || tokens.joined() != text.text || text.tokens != 100 {
                wrong.append("\(job.jobID): \(runs.count) runs, indices \(indices.prefix(5))…, \(tokens.count) tokens")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) jobs streamed wrongly: \(wrong.prefix(3))")
        #expect(chunks.count < jobs.count * 100 * 9 / 10, "\(chunks.count) records for \(jobs.count * 100) tokens: tokens should share records")
        #expect(first.worker.counters.completed > 0 && second.worker.counters.completed > 0, "both workers took part")
        // The first worker's share of the tokens, and one first-token time per stream it ran.
        let firstsShare = results.filter { $0.worker == "w1" && $0.jobID != "gen-plain" }.count
        #expect(try metrics.expectCounter("kinfer_stream_tokens_total", [("model", "generator")]).totalValue == firstsShare * 100)
        #expect(try metrics.expectTimer("kinfer_stream_first_token_seconds", [("model", "generator")]).values.count == firstsShare)
    }
}

extension StreamingTests {
    @Test("A generative model's jobs run side by side up to maxConcurrentGenerations, not one batch slot each: 60 held generations at once with maxConcurrentBatches 1")
    func generationsRunSideBySide() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 2)
        let model = HeldGenerator()
        var configuration = pipeline.workerConfiguration()
        configuration.maxConcurrentBatches = 1
        configuration.maxConcurrentGenerations = 60
        let running = try pipeline.startWorker(configuration, models: ModelCatalog([model]))
        let jobs = (0..<70).map { InferenceJob(jobID: "held-\($0)", model: "held", inputs: ModelInput(prompt: "p"), submittedAt: Date(), stream: $0 % 2 == 0) }
        _ = try await pipeline.submit(jobs)

        do {
            try await waitUntil("60 generations held at once", timeout: .seconds(60)) { model.gate.held == 60 }
        } catch {
            model.gate.open()
            try await running.stop()
            throw error
        }
        #expect(model.gate.held == 60, "no more than maxConcurrentGenerations")
        model.gate.open()
        let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= jobs.count }
        try await running.stop()
        #expect(results.allSatisfy { $0.status == .completed && $0.output?.generatedText?.text == "held" })
    }
}

/// A generative model whose every generation waits at a closed gate before its one token.
struct HeldGenerator: GenerativeModel {
    let gate = Gate(open: false)
    var name: String { "held" }
    var version: String { "1" }

    func generate(_ input: ModelInput) -> TextGeneration {
        let gate = self.gate
        return TextGeneration {
            var step = 0
            return {
                step += 1
                switch step {
                case 1:
                    await gate.pass()
                    return .chunk("held")
                case 2: return .finished(GeneratedText(text: "held", tokens: 1, finishReason: "stop"))
                default: return nil
                }
            }
        }
    }

    func failureClass(of error: any Error) -> FailureClass { .retryable }
}
