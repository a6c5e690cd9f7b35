import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

@Suite("Partition reader (no group)")
struct PartitionReaderTests {
    /// Started at chosen offsets, the reader reads exactly from there on every partition, with no group on the
    /// cluster; after close its sequence ends.
    @Test(.timeLimit(.minutes(1)))
    func readsFromTheGivenOffsetsAndEndsOnClose() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("followed")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for index in 0..<20 {
            let message = KafkaProducerMessage(topic: topic, partition: Int32(index % 2), key: nil, value: Array("\(index)".utf8))
            _ = try await producer.send(message)
        }
        await producer.close()

        let p0 = KafkaTopicPartition(topic: topic, partition: 0)
        let p1 = KafkaTopicPartition(topic: topic, partition: 1)
        let reader = try KafkaPartitionReader(configuration: cluster.consumerConfiguration(group: "ignored"), offsets: [p0: 7, p1: 2])
        var read: [KafkaTopicPartition: [Int64]] = [:]
        try await waitUntil("both partitions read to their ends") {
            var iterator = reader.batches().makeAsyncIterator()
            guard let batch = try await iterator.next() else { return true }
            for message in batch { read[message.topicPartition, default: []].append(message.offset) }
            return read[p0]?.count == 3 && read[p1]?.count == 8
        }
        #expect(read[p0] == [7, 8, 9])
        #expect(read[p1] == Array(2..<10))
        await reader.close()
        var iterator = reader.batches().makeAsyncIterator()
        #expect(try await iterator.next() == nil)
    }

    /// Opened and closed at once, again and again, while its partitions are still being started: what aborted
    /// librdkafka 2.0.2's group consumer in assign mode (`rd_kafka_cgrp_terminated`). The process survives, and
    /// each close returns.
    @Test(.timeLimit(.minutes(1)))
    func closingWhileStartingIsSafe() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("churn")
        try cluster.createTopic(topic, partitions: 4)
        let offsets = Dictionary(uniqueKeysWithValues: (0..<4).map { (KafkaTopicPartition(topic: topic, partition: Int32($0)), Int64(0)) })
        for _ in 0..<20 {
            let reader = try KafkaPartitionReader(configuration: cluster.consumerConfiguration(group: "ignored"), offsets: offsets)
            #expect(reader.partitions == Set(offsets.keys))
            await reader.close()
        }
    }
}
