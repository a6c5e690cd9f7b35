import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

@Suite("Consumer lag from the admin client")
struct LagTests {
    @Test("A group that committed offset 400 of 1,000 has lag 600 on that partition")
    func lagIsHighWatermarkMinusCommitted() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("lag")
        try cluster.createTopic(topic, partitions: 1)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: 1000, partition: 0)
        await producer.close()

        let group = uniqueName("group")
        let admin = try KafkaAdmin(configuration: cluster.adminConfiguration())
        let before = try await admin.consumerLag(group: group, topics: [topic], timeout: .seconds(10))
        #expect(before.map(\.partition) == [partition])
        #expect(before.first?.committed == nil)
        #expect(before.first?.lag == 1000, "nothing committed: everything retained is lag")

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group))
        try consumer.subscribe(topics: [topic])
        _ = try await consume(consumer, count: 400, timeout: .seconds(20))
        try consumer.storeOffsets([partition: 400])
        try await consumer.commit()

        let lags = try await admin.consumerLag(group: group, topics: [topic], timeout: .seconds(10))
        await consumer.close()
        let lag = try #require(lags.first { $0.partition == partition })
        #expect(lags.count == 1)
        #expect(lag.committed == 400)
        #expect(lag.highWatermark == 1000)
        #expect(lag.lowWatermark == 0)
        #expect(lag.lag == 600)
    }
}
