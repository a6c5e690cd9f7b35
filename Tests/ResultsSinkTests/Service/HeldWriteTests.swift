import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import ResultsSink
import Testing

@Suite("Sink: offsets while a write is held")
struct HeldWriteTests {
    @Test("While a transaction writing partition 0 is held: no offset committed past the database, no later write of that partition started; afterwards every job keeps its first result")
    func heldWrite() async throws {
        var harness = try SinkHarness(partitions: 2)
        harness.configuration.maxBatchSize = 100
        let jobs = 600
        let originals = (0..<jobs).map { ResultFixtures.result($0) }
        // The repeats follow all originals in their partitions, so they arrive in later batches than the originals.
        let repeats = (0..<jobs).map { ResultFixtures.result($0, variant: 1) }
        try await harness.produce(originals + repeats)
        let partitions = (0..<2).map { KafkaTopicPartition(topic: harness.configuration.resultsTopic, partition: Int32($0)) }
        let admin = try KafkaAdmin(configuration: harness.cluster.adminConfiguration())

        try await withFreshStore(.sqlite) { inner, _ in
            let store = GatedStore(inner, holding: 0)
            let sink = try harness.makeSink(store)
            /// The group's committed offset per partition, 0 where none (librdkafka reports a negative one).
            func committed() async throws -> [Int32: Int64] {
                let offsets = try await admin.committedOffsets(group: harness.group, partitions: partitions)
                return Dictionary(uniqueKeysWithValues: partitions.map { ($0.partition, max((offsets[$0] ?? nil) ?? 0, 0)) })
            }
            /// Whether every committed offset is at or below the end of its partition's unbroken run of written rows.
            func committedWithinDatabase() async throws -> Bool {
                try await committed().allSatisfy { partition, offset in offset <= store.writtenPrefix(partition) }
            }
            try await harness.running(sink) {
                defer { store.release() }
                try await waitUntil("a write of partition 0 is held") { store.heldWrites > 0 }
                // While it is held, the sink may commit only what is in the database, and must not start another write
                // of partition 0.
                let clock = ContinuousClock()
                let observedUntil = clock.now.advanced(by: .milliseconds(500))
                while clock.now < observedUntil {
                    #expect(try await committedWithinDatabase(), "offsets committed ahead of the database")
                    #expect(store.overlappingWrites == 0, "a write started beside one of the same partition")
                    try await Task.sleep(for: .milliseconds(20))
                }
                store.release()
                try await waitUntil("every result written or absorbed", timeout: .seconds(60)) {
                    sink.counters.written + sink.counters.duplicatesAbsorbed == originals.count + repeats.count
                }
                try await waitUntil("every offset committed") {
                    try await committed().values.reduce(0, +) == Int64(originals.count + repeats.count)
                }
                #expect(try await committedWithinDatabase())
            }
            #expect(store.overlappingWrites == 0)
            #expect(sink.counters.written == jobs)
            #expect(sink.counters.duplicatesAbsorbed == repeats.count)
            for index in stride(from: 0, to: jobs, by: 7) {
                let stored = try #require(try await store.result(for: "job-\(index)"))
                #expect(stored.result == originals[index], "job-\(index) keeps its first result")
            }
        }
    }
}
