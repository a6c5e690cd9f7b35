import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

@Suite("Consumer: a cancelled reader")
struct ConsumerCancellationTests {
    /// A task reading an idle consumer's batches ends when cancelled, and the consumer goes on to deliver every
    /// message to the next reader: cancelling a read loses nothing.
    @Test(.timeLimit(.minutes(1)))
    func cancelledReaderEndsAndLosesNothing() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("idle")
        try cluster.createTopic(topic, partitions: 1)
        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        for yields in [0, 50] {
            try await expectEndsWhenCancelled("a reader of an idle consumer", afterYields: yields) {
                do {
                    for try await _ in consumer.batches() {}
                } catch {}
            }
        }
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for index in 0..<10 {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: "\(index)", value: Array("\(index)".utf8)))
        }
        await producer.close()
        let messages = try await consume(consumer, count: 10, timeout: .seconds(30))
        #expect(messages.map(\.offset) == Array(0..<10))
        await consumer.close()
    }
}
