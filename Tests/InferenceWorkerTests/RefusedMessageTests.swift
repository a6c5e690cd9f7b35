import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import Kafka
import KinferTestSupport
import Testing

@Suite("Messages the broker refuses for their size")
struct RefusedMessageTests {
    @Test("A result over message.max.bytes fails its job with a dead letter; a dead letter over it goes without its value, or is given up; the partitions keep committing")
    func oversizedOutcomes() async throws {
        let pipeline = try Pipeline(brokers: 1, partitions: 2)
        // 3,000 scores make a result of ~60 KB, over the worker producer's 20,000-byte limit; 10 make ~400 B.
        let small = SimulatedModel(configuration: .init(name: "small"))
        let wide = SimulatedModel(configuration: .init(name: "wide", classCount: 3_000))
        let running = try pipeline.startWorker(
            pipeline.workerConfiguration(), models: ModelCatalog([small, wide]), producerProperties: ["message.max.bytes": "20000"]
        )

        let smallJobs = (0..<200).map { InferenceJob(jobID: "small-\($0)", model: "small", inputs: ModelInput(features: [Double($0)]), submittedAt: Date()) }
        let wideJobs = (0..<5).map { InferenceJob(jobID: "wide-\($0)", model: "wide", inputs: ModelInput(features: [Double($0)]), submittedAt: Date()) }
        let hugePoison = Array(String(repeating: "not json ", count: 3_000).utf8)  // 27 KB: readable, but its dead letter is not sendable whole
        // A 25 KB key: its dead letter is refused even without the value, so it is given up.
        let hugeKey = Array(String(repeating: "k", count: 25_000).utf8)
        try await pipeline.produceRaw([(key: Array("huge-poison".utf8), value: hugePoison), (key: hugeKey, value: Array("{".utf8))])
        _ = try await pipeline.submit(smallJobs + wideJobs)

        let expected = Set((smallJobs + wideJobs).map(\.jobID))
        let results = try await pipeline.readResults { expected.isSubset(of: Set($0.map(\.jobID))) }
        for result in results where result.jobID.hasPrefix("small-") {
            #expect(result.status == .completed, "\(result.jobID)")
        }
        for result in results where result.jobID.hasPrefix("wide-") {
            #expect(result.status == .failed, "\(result.jobID)")
            #expect(result.error?.errorClass == .fatal, "\(result.jobID)")
            #expect(result.error?.message.contains("refused") == true, "\(result.jobID): \(result.error?.message ?? "no error")")
            #expect(result.output == nil)
        }

        let deadLetters = try await pipeline.readDeadLetters(count: wideJobs.count + 1)
        #expect(deadLetters.count == wideJobs.count + 1)
        for job in wideJobs {
            let letter = try #require(deadLetters.first { $0.key == Array(job.jobID.utf8) }, "dead letter for \(job.jobID)")
            #expect(letter.headers.first(JobHeaders.errorClass) == "fatal")
            #expect(letter.value.map { try? JobCodec.decodeJob($0, fallbackSubmittedAt: Date()) }??.jobID == job.jobID, "the job itself, unchanged")
        }
        let poisonLetter = try #require(deadLetters.first { $0.key == Array("huge-poison".utf8) })
        #expect(poisonLetter.value == nil, "sent without the value the broker refused")
        #expect(poisonLetter.headers.first(JobHeaders.errorClass) == "poison")
        #expect(poisonLetter.headers.first(JobHeaders.valueOmitted)?.contains("refused") == true)
        #expect(poisonLetter.headers.first(JobHeaders.originalTopic) == pipeline.topics.jobs)
        #expect(poisonLetter.headers.first(JobHeaders.originalOffset) != nil)

        // No job is left unfinished: every partition of the jobs topic is committed to its end while the worker runs.
        let admin = try KafkaAdmin(configuration: pipeline.cluster.adminConfiguration())
        try await waitUntil("the jobs topic committed to its end") {
            let lags = try await admin.consumerLag(group: "workers", topics: [pipeline.topics.jobs])
            return !lags.isEmpty && lags.allSatisfy { $0.lag == 0 }
        }
        let counters = running.worker.counters
        try await waitUntil("every outcome counted") { counters.completed + counters.failed == expected.count }
        #expect(counters.completed == smallJobs.count)
        #expect(counters.failed == wideJobs.count)
        #expect(counters.deadLettered == wideJobs.count + 2, "the given-up one counts as dead-lettered too")
        #expect(counters.unpublishable == 1)
        #expect(!deadLetters.contains { $0.key == hugeKey })
        try await running.stop()
    }
}
