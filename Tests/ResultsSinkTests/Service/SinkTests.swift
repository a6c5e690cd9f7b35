import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import ResultStore
import ResultsSink
import Testing

@Suite("Sink: results from Kafka into the store")
struct SinkTests {
    @Test("20,000 results, 10% sent twice and 1% three times: exactly 20,000 rows, each its first result, every duplicate counted", arguments: StoreKind.allCases)
    func exactlyOneRowPerJob(_ kind: StoreKind) async throws {
        let harness = try SinkHarness()
        let total = 20_000
        let originals = (0..<total).map { ResultFixtures.result($0) }
        let twice = stride(from: 0, to: total, by: 10).map { ResultFixtures.result($0, variant: 1) }
        let thrice = stride(from: 0, to: total, by: 100).map { ResultFixtures.result($0, variant: 2) }
        try await harness.produce(originals + twice + thrice)

        try await withFreshStore(kind) { store, _ in
            let sink = try harness.makeSink(store)
            try await harness.running(sink) {
                try await waitUntil("all results are written", timeout: .seconds(120)) {
                    sink.counters.written + sink.counters.duplicatesAbsorbed >= originals.count + twice.count + thrice.count
                }
            }
            #expect(try await store.count() == total)
            #expect(sink.counters.written == total)
            #expect(sink.counters.duplicatesAbsorbed == twice.count + thrice.count)
            for index in stride(from: 0, to: total, by: 50) {
                let stored = try #require(try await store.result(for: "job-\(index)"))
                #expect(stored.result == originals[index], "job-\(index) keeps its first result")
            }
        }
    }

    @Test("Undecodable result messages are dead-lettered with their partition and offset; the rest are written", arguments: [StoreKind.sqlite])
    func undecodable(_ kind: StoreKind) async throws {
        let harness = try SinkHarness(partitions: 1)
        let good = (0..<100).map { ResultFixtures.result($0) }
        let bad: [[UInt8]?] = [Array("{not json".utf8), nil, Array(#"{"job_id":"x"}"#.utf8)]
        try await harness.produce(good, raw: bad)

        try await withFreshStore(kind) { store, _ in
            let sink = try harness.makeSink(store)
            try await harness.running(sink) {
                try await waitUntil("good rows written and bad ones dead-lettered") {
                    sink.counters.written == good.count && sink.counters.deadLettered == bad.count
                }
            }
            #expect(try await store.count() == good.count)
        }
        let reader = try KafkaConsumer(configuration: harness.cluster.consumerConfiguration(group: uniqueName("dlq")))
        try reader.subscribe(topics: [harness.configuration.deadLetterTopic])
        let letters = try await consume(reader, count: bad.count)
        await reader.close()
        #expect(letters.map(\.value) == bad)
        for (index, letter) in letters.enumerated() {
            #expect(letter.headers.first(JobHeaders.originalPartition) == "0")
            #expect(letter.headers.first(JobHeaders.originalOffset) == "\(good.count + index)")
            #expect(!(letter.headers.first(JobHeaders.errorMessage) ?? "").isEmpty)
        }
    }

    @Test("An undecodable result too large to dead-letter is sent without its value, or given up; the sink keeps writing")
    func undecodableTooLargeToDeadLetter() async throws {
        let harness = try SinkHarness(partitions: 1)
        let good = (0..<100).map { ResultFixtures.result($0) }
        try await harness.produce(Array(good[..<50]), raw: [Array(String(repeating: "x", count: 30_000).utf8)])
        try await harness.produce(Array(good[50...]), raw: [Array("{".utf8)], rawKey: Array(String(repeating: "k", count: 25_000).utf8))
        var configuration = harness.cluster.producerConfiguration()
        configuration.properties["message.max.bytes"] = "20000"

        try await withFreshStore(.sqlite) { store, _ in
            let sink = try harness.makeSink(store, producerConfiguration: configuration)
            try await harness.running(sink) {
                try await waitUntil("good rows written past both refused dead letters") {
                    sink.counters.written == good.count && sink.counters.deadLettered + sink.counters.givenUp == 2
                }
            }
            #expect(try await store.count() == good.count)
            #expect(sink.counters.deadLettered == 1)
            #expect(sink.counters.givenUp == 1)
        }
        let reader = try KafkaConsumer(configuration: harness.cluster.consumerConfiguration(group: uniqueName("dlq")))
        try reader.subscribe(topics: [harness.configuration.deadLetterTopic])
        let letters = try await consume(reader, count: 1)
        await reader.close()
        #expect(letters.first?.value == nil, "sent without the value the broker refused")
        #expect(letters.first?.headers.first(JobHeaders.valueOmitted)?.contains("refused") == true)
        #expect(letters.first?.headers.first(JobHeaders.originalOffset) == "50")
    }

    @Test("PostgreSQL stopped mid-stream and started again: no row missing, offsets never ahead of the database")
    func postgresOutage() async throws {
        let harness = try SinkHarness()
        let total = 20_000
        try await harness.produce((0..<total).map { ResultFixtures.result($0) })
        try await withTemporaryPostgres { server in
            try await withResultStore(url: server.url, logger: quietLogger) { store in
                let sink = try harness.makeSink(store)
                let admin = try KafkaAdmin(configuration: harness.cluster.adminConfiguration())
                let partitions = (0..<12).map { KafkaTopicPartition(topic: harness.configuration.resultsTopic, partition: Int32($0)) }
                try await harness.running(sink) {
                    try await waitUntil("some rows written") { sink.counters.written >= 2_000 }
                    try await server.stop()
                    try await waitUntil("a write fails while the database is down") { sink.counters.failedWrites > 0 }
                    #expect(!sink.isReady)
                    let committed = try await admin.committedOffsets(group: harness.group, partitions: partitions)
                    let committedTotal = committed.values.reduce(Int64(0)) { $0 + ($1 ?? 0) }
                    #expect(committedTotal <= Int64(sink.counters.written), "offsets never ahead of the database")
                    try await server.start()
                    try await waitUntil("every row written", timeout: .seconds(120)) { sink.counters.written == total }
                    #expect(sink.isReady)
                }
                #expect(try await store.count() == total)
            }
        }
    }
}
