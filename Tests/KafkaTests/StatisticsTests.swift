import EmbeddedKafka
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("librdkafka statistics, decoded")
struct StatisticsTests {
    @Test("A consumer's statistics report the lag left after it committed 250 of a 1,000-message backlog")
    func consumerLagAfterAKnownBacklog() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("statistics")
        try cluster.createTopic(topic, partitions: 1)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: 1000, partition: 0)
        await producer.close()

        let latest = Mutex<KafkaStatistics?>(nil)
        let reports = Counter()
        var configuration = cluster.consumerConfiguration(group: uniqueName("group"))
        configuration.statisticsInterval = .milliseconds(200)
        let consumer = try KafkaConsumer(configuration: configuration) { statistics in
            reports.increment()
            latest.withLock { $0 = statistics }
        }
        try consumer.subscribe(topics: [topic])
        _ = try await consume(consumer, count: 250, timeout: .seconds(20))
        try consumer.storeOffsets([partition: 250])
        try await consumer.commit()

        try await waitUntil("a report with the committed offset and the high watermark", timeout: .seconds(10)) {
            guard let report = latest.withLock({ $0 }), let stats = report.topics[topic]?.partitions["0"] else { return false }
            return stats.committedOffset == 250 && stats.highWatermark == 1000
        }
        await consumer.close()
        let report = try #require(latest.withLock { $0 })
        #expect(report.type == "consumer")
        #expect(report.name.contains("consumer"))
        #expect(report.consumerLag[partition] == 750)
        #expect(report.consumerGroup?.assignmentSize == 1)
        #expect(report.consumerGroup?.state == "up")
        #expect(reports.value >= 2)
    }
}
