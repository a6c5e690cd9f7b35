import EmbeddedKafka
import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import ResultStore
import ResultsSink
import ServiceOperations
import Testing

@Suite("Sink readiness and metrics")
struct SinkReadinessTests {
    static let partitions = 4

    /// A sink writing into PostgreSQL: its metrics count rows and absorbed duplicates; `/readyz` turns 503 (naming
    /// the database) when the server stops, and 200 again when it returns, with `kinfer_ready` following.
    @Test(.timeLimit(.minutes(2)))
    func readyzFollowsTheDatabaseAndMetricsCountRows() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        var configuration = SinkConfiguration()
        configuration.resultsTopic = uniqueName("results")
        configuration.deadLetterTopic = configuration.resultsTopic + ".dlq"
        configuration.retryMaxDelay = .milliseconds(500)
        configuration.retention = nil
        try cluster.createTopic(configuration.resultsTopic, partitions: Self.partitions)
        try cluster.createTopic(configuration.deadLetterTopic, partitions: 1)
        let results = (0..<200).map(Self.result)

        try await withTemporaryPostgres { database in
            var storeConfiguration = try PostgresResultStore.Configuration(url: database.url)
            storeConfiguration.operationTimeout = .seconds(1)
            let store = PostgresResultStore(configuration: storeConfiguration, logger: quietLogger)
            let metrics = TestMetrics()
            let sink = try ResultsSink(
                consumerConfiguration: cluster.consumerConfiguration(group: uniqueName("sink"), sessionTimeout: .seconds(6)),
                producerConfiguration: cluster.producerConfiguration(),
                store: store, configuration: configuration, metricsFactory: metrics.factory, logger: quietLogger
            )
            let admin = try KafkaAdmin(configuration: cluster.adminConfiguration(), logger: quietLogger)
            let reachable = ReadinessCheck("database") { await store.isReachable() ? nil : "database unreachable" }
            let readiness = ReadinessMonitor(
                service: "sink",
                checks: [.broker(admin, topics: [configuration.resultsTopic]), .groupMembership(sink), reachable],
                interval: .milliseconds(200), metricsFactory: metrics.factory, logger: quietLogger
            )
            let server = TestServer(registry: metrics.registry, readiness: readiness)

            try await withServices([server.server, readiness, store, sink]) {
                let base = try await server.baseURL()
                try await Self.produce(results + results.prefix(20), to: configuration.resultsTopic, cluster)
                try await waitUntil("200 rows written, 20 duplicates absorbed", timeout: .seconds(60)) {
                    sink.counters.written == 200 && sink.counters.duplicatesAbsorbed == 20
                }
                try await waitUntil("/readyz answers 200") { try await httpGet(base + "/readyz").status == 200 }
                var samples = try await server.scrape()
                try await waitUntil("the partition gauge sampled", timeout: .seconds(10)) {
                    samples = try await server.scrape()
                    return samples.value("kinfer_partitions_assigned") == Double(Self.partitions)
                }
                #expect(samples.value("kinfer_sink_rows_written_total") == 200)
                #expect(samples.value("kinfer_sink_duplicates_absorbed_total") == 20)
                #expect(try #require(samples.value("kinfer_sink_write_duration_seconds_count")) >= 1)
                #expect(try #require(samples.value("kinfer_rebalances_total")) >= 1)
                #expect(samples.value("kinfer_commit_failures_total") != nil)
                #expect(samples.value("kinfer_ready", ["service": "sink"]) == 1)

                try await database.stop()
                try await waitUntil("/readyz answers 503", timeout: .seconds(15), interval: .milliseconds(100)) {
                    try await httpGet(base + "/readyz").status == 503
                }
                #expect(try await httpGet(base + "/readyz").body.contains("database unreachable"))
                #expect(try await server.scrape().value("kinfer_ready", ["service": "sink"]) == 0)
                #expect(try await httpGet(base + "/healthz").status == 200)

                try await database.start()
                try await waitUntil("/readyz answers 200 again", timeout: .seconds(30), interval: .milliseconds(100)) {
                    try await httpGet(base + "/readyz").status == 200
                }
                #expect(try await server.scrape().value("kinfer_ready", ["service": "sink"]) == 1)
            }
        }
    }

    static func result(_ index: Int) -> JobResult {
        let now = Date()
        return JobResult(
            jobID: "readiness-\(index)", status: .completed, output: ModelOutput(label: "ok", confidence: 1, scores: [1]),
            attempts: 1, model: "gated", modelVersion: "1", worker: "test", submittedAt: now, startedAt: now, completedAt: now
        )
    }

    static func produce(_ results: [JobResult], to topic: String, _ cluster: EmbeddedKafkaCluster) async throws {
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for result in results {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: result.jobID, value: JobCodec.encode(result)))
        }
        await producer.close()
    }
}
