import EmbeddedKafka
import Foundation
import Kafka
import KinferTestSupport
import ResultStore
import ResultsSink
import ServiceOperations
import Testing

@Suite("Sink: retryable write failures")
struct SinkWriteRetryTests {
    /// Writes that fail retryably while the database still answers its probe: the sink retries with backoff, counts
    /// each retry in `kinfer_sink_store_retries_total`, and is not ready (as `kinfer sink` wires it) until a write
    /// succeeds; nothing is committed meanwhile, and nothing is lost.
    @Test(.timeLimit(.minutes(2)))
    func retriedCountedAndNotReadyWhileFailing() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        var configuration = SinkConfiguration()
        configuration.resultsTopic = uniqueName("results")
        configuration.deadLetterTopic = configuration.resultsTopic + ".dlq"
        configuration.retryBaseDelay = .milliseconds(20)
        configuration.retryMaxDelay = .milliseconds(100)
        configuration.retention = nil
        try cluster.createTopic(configuration.resultsTopic, partitions: 2)
        try cluster.createTopic(configuration.deadLetterTopic, partitions: 1)
        let results = (0..<50).map(SinkReadinessTests.result)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-flaky-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let inner = try makeResultStore(url: "sqlite://\(directory.path)/results.db", logger: quietLogger)
        let store = FlakyStore(inner)
        let metrics = TestMetrics()
        let group = uniqueName("sink")
        let sink = try ResultsSink(
            consumerConfiguration: cluster.consumerConfiguration(group: group, sessionTimeout: .seconds(6)),
            producerConfiguration: cluster.producerConfiguration(),
            store: store, configuration: configuration, metricsFactory: metrics.factory, logger: quietLogger
        )
        let writes = ReadinessCheck("writes") { sink.writeFailure.map { "database writes failing: \($0)" } }
        let readiness = ReadinessMonitor(
            service: "sink", checks: [.groupMembership(sink), writes],
            interval: .milliseconds(100), metricsFactory: metrics.factory, logger: quietLogger
        )
        let server = TestServer(registry: metrics.registry, readiness: readiness)
        let admin = try KafkaAdmin(configuration: cluster.adminConfiguration(), logger: quietLogger)
        let partitions = (0..<2).map { KafkaTopicPartition(topic: configuration.resultsTopic, partition: Int32($0)) }

        try await withServices([server.server, readiness, inner, sink]) {
            let base = try await server.baseURL()
            #expect(try await server.scrape().value("kinfer_sink_store_retries_total") == 0)
            try await SinkReadinessTests.produce(results, to: configuration.resultsTopic, cluster)
            try await waitUntil("writes retried", timeout: .seconds(30)) {
                try await server.scrape().value("kinfer_sink_store_retries_total") ?? 0 >= 5
            }
            try await waitUntil("/readyz answers 503", timeout: .seconds(15)) { try await httpGet(base + "/readyz").status == 503 }
            #expect(try await httpGet(base + "/readyz").body.contains("database writes failing: write timed out waiting for a lock"))
            #expect(sink.writeFailure != nil)
            #expect(sink.counters.written == 0)
            let committed = try await admin.committedOffsets(group: group, partitions: partitions)
            #expect(committed.values.allSatisfy { ($0 ?? 0) == 0 }, "nothing committed while nothing is written")

            store.recover()
            try await waitUntil("every result written", timeout: .seconds(30)) { sink.counters.written == results.count }
            try await waitUntil("/readyz answers 200 again", timeout: .seconds(15)) { try await httpGet(base + "/readyz").status == 200 }
            #expect(sink.writeFailure == nil)
            let retries = try #require(try await server.scrape().value("kinfer_sink_store_retries_total"))
            #expect(retries == Double(sink.counters.failedWrites))
            #expect(sink.counters.refused == 0)
            #expect(try await inner.count() == results.count)
        }
    }
}
