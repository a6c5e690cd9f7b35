import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

@Suite("Closing a producer")
struct CloseTests {
    @Test("close with every broker down reports every enqueued message, delivered or failed")
    func closeReportsEverything() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueName("close")
        try cluster.createTopic(topic, partitions: 3, replicationFactor: 3)
        var configuration = cluster.producerConfiguration()
        configuration.properties["log_level"] = "0"
        let producer = try KafkaProducer(configuration: configuration)
        // Connected, with metadata and a producer ID, before the brokers go.
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: "first", value: [0]))
        for broker in 1...Int32(cluster.brokerCount) { try cluster.setBrokerDown(broker) }

        let enqueued = 5000
        let delivered = Counter()
        let failed = Counter()
        for index in 0..<enqueued {
            try await producer.enqueue(KafkaProducerMessage(topic: topic, key: "k-\(index)", value: [1])) { result in
                switch result {
                case .success: delivered.increment()
                case .failure: failed.increment()
                }
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        try await finishing(within: .seconds(10), "close to return") { await producer.close(timeout: .milliseconds(500)) }
        #expect(clock.now - started < .seconds(15))  // close(timeout: 500 ms) plus serving purged reports; loose for loaded CI
        #expect(delivered.value + failed.value == enqueued, "\(delivered.value) delivered + \(failed.value) failed")
        #expect(failed.value > 0, "no broker was up to take them")
        // Not `queuedMessageCount == 0`: it also counts the error events the down brokers keep raising.
        let error = await #expect(throws: KafkaError.self) {
            try await producer.enqueue(KafkaProducerMessage(topic: topic, key: "late", value: [1])) { _ in }
        }
        #expect(error?.code == .closed)
    }
}
