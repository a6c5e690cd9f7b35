import EmbeddedKafka
import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import ResultStore
import ResultsSink

/// An embedded cluster with a results topic and its dead-letter topic, and a sink writing into `store`.
struct SinkHarness {
    let cluster: EmbeddedKafkaCluster
    var configuration: SinkConfiguration
    let group = uniqueName("sink")

    init(partitions: Int = 12) throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1)
        var configuration = SinkConfiguration()
        configuration.resultsTopic = uniqueName("results")
        configuration.deadLetterTopic = "\(configuration.resultsTopic).dlq"
        configuration.retryMaxDelay = .milliseconds(500)
        // The fixtures complete in 2025: the default retention would delete their rows a minute into a long test.
        // RetentionTests covers retention.
        configuration.retention = nil
        self.configuration = configuration
        try cluster.createTopic(configuration.resultsTopic, partitions: partitions)
        try cluster.createTopic(configuration.deadLetterTopic, partitions: 1)
    }

    func makeSink(_ store: any ResultStore, producerConfiguration: KafkaConfiguration? = nil) throws -> ResultsSink {
        try ResultsSink(
            consumerConfiguration: cluster.consumerConfiguration(group: group),
            producerConfiguration: producerConfiguration ?? cluster.producerConfiguration(),
            store: store,
            configuration: configuration,
            logger: quietLogger
        )
    }

    /// Produces results keyed by job ID (so repeats of one job share a partition, in order), then raw messages.
    /// Produces `results`, then the `raw` values keyed `rawKey`.
    func produce(_ results: [JobResult], raw: [[UInt8]?] = [], rawKey: [UInt8] = Array("raw".utf8)) async throws {
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for result in results {
            try await producer.enqueue(KafkaProducerMessage(topic: configuration.resultsTopic, key: result.jobID, value: JobCodec.encode(result))) { _ in }
        }
        for value in raw {
            try await producer.enqueue(KafkaProducerMessage(topic: configuration.resultsTopic, key: rawKey, value: value)) { _ in }
        }
        try await producer.flush(timeout: .seconds(60))
        await producer.close()
    }

    /// Runs `sink` while `body` runs, then shuts it down and waits for it.
    func running<R>(_ sink: ResultsSink, _ body: () async throws -> R) async throws -> R {
        try await whileRunning({ try await sink.run() }, body)
    }
}
