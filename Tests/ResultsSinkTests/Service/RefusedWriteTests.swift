import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import ResultsSink
import Testing

@Suite("Sink: results the store refuses")
struct RefusedWriteTests {
    /// A store that refuses some results for good (a constraint they break) must not stall their partitions: the
    /// sink narrows the failing batches down to those results, dead-letters them with the store's reason, writes the
    /// rest and commits past all of them.
    @Test("Results the store refuses non-retryably are dead-lettered with the reason; the rest are stored and every offset is committed", .timeLimit(.minutes(2)))
    func refusedResultsAreDeadLettered() async throws {
        let harness = try SinkHarness(partitions: 3)
        let results = (0..<300).map { ResultFixtures.result($0) }
        let refused: Set = ["job-17", "job-42", "job-150", "job-151", "job-299"]
        try await harness.produce(results)
        let partitions = (0..<3).map { KafkaTopicPartition(topic: harness.configuration.resultsTopic, partition: Int32($0)) }

        try await withFreshStore(.sqlite) { inner, _ in
            let sink = try harness.makeSink(RefusingStore(inner, refusing: refused))
            let admin = try KafkaAdmin(configuration: harness.cluster.adminConfiguration(), logger: quietLogger)
            try await harness.running(sink) {
                try await waitUntil("every offset committed, the refused results' included", timeout: .seconds(60)) {
                    let committed = try await admin.committedOffsets(group: harness.group, partitions: partitions)
                    return committed.values.reduce(Int64(0)) { $0 + ($1 ?? 0) } == Int64(results.count)
                }
            }
            #expect(try await inner.count() == results.count - refused.count)
            for id in refused.sorted() {
                #expect(try await inner.result(for: id) == nil, "\(id) is refused, not stored")
            }
            for result in results where !refused.contains(result.jobID) {
                #expect(try await inner.result(for: result.jobID)?.result == result)
            }
            #expect(sink.counters.written == results.count - refused.count)
        }

        let reader = try KafkaConsumer(configuration: harness.cluster.consumerConfiguration(group: uniqueName("dlq")))
        try reader.subscribe(topics: [harness.configuration.deadLetterTopic])
        let letters = try await consume(reader, count: refused.count)
        await reader.close()
        #expect(Set(letters.map { String(decoding: $0.key ?? [], as: UTF8.self) }) == refused)
        for letter in letters {
            let jobID = String(decoding: letter.key ?? [], as: UTF8.self)
            let original = try #require(results.first { $0.jobID == jobID })
            #expect(letter.value == JobCodec.encode(original), "the dead letter carries the result as consumed")
            #expect(letter.headers.first(JobHeaders.errorMessage)?.contains(RefusingStore.reason(jobID)) == true)
            #expect(letter.headers.first(JobHeaders.errorClass) == JobErrorClass.fatal.rawValue)
            #expect(letter.headers.first(JobHeaders.originalTopic) == harness.configuration.resultsTopic)
            #expect(letter.headers.first(JobHeaders.originalOffset) != nil)
        }
    }
}
