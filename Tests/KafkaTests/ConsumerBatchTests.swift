import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

/// The consumer's buffer hands the reader the poll thread's batches whole when they fit, splits those that do not
/// and joins small ones; this checks that no message is lost, repeated or reordered on the way.
@Suite("Consumer batches of any size")
struct ConsumerBatchTests {
    @Test("batches(maxCount: 7) over poll batches of up to 1,024 delivers 5,000 messages once each, in order, never more than 7 at a time")
    func smallBatches() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = try await topic(on: cluster, backlog: 5_000)

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let (offsets, largest) = try await finishing(within: .seconds(60), "5,000 messages in batches of 7") {
            var offsets: [Int64] = []
            var largest = 0
            for try await batch in consumer.batches(maxCount: 7) {
                largest = max(largest, batch.count)
                offsets += batch.map(\.offset)
                if offsets.count >= 5_000 { break }
            }
            return (offsets, largest)
        }
        await consumer.close()

        #expect(offsets == Array(0..<5_000))
        #expect(largest <= 7)
    }

    @Test("With more than maxCount messages waiting, a batch is full: several poll batches joined, the last one split")
    func fullBatchesFromSeveralPollBatches() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = try await topic(on: cluster, backlog: 5_000)

        var options = KafkaConsumer.Options()
        options.pauseDelay = .seconds(60)
        options.bufferCapacity = 4_000
        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")), options: options)
        try consumer.subscribe(topics: [topic])
        // The poll thread takes at most 1,024 messages a turn: 4,000 waiting are several of its batches.
        try await waitUntil("4,000 messages wait in the buffer", timeout: .seconds(30)) { consumer.bufferedMessageCount >= 4_000 }
        let sizes = try await finishing(within: .seconds(30), "two batches of 1,500") {
            var sizes: [Int] = []
            for try await batch in consumer.batches(maxCount: 1_500) {
                sizes.append(batch.count)
                if sizes.count == 2 { break }
            }
            return sizes
        }
        await consumer.close()
        #expect(sizes == [1_500, 1_500])
    }

    @Test("messages, one at a time over poll batches of up to 1,024, delivers 5,000 messages once each, in order, values intact")
    func oneAtATime() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = try await topic(on: cluster, backlog: 5_000)

        var options = KafkaConsumer.Options()
        options.bufferCapacity = 5_000
        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")), options: options)
        try consumer.subscribe(topics: [topic])
        // Read once the whole backlog is buffered, so that the iterator goes through several full poll batches.
        try await waitUntil("5,000 messages wait in the buffer", timeout: .seconds(30)) { consumer.bufferedMessageCount >= 5_000 }
        let messages = try await finishing(within: .seconds(30), "5,000 messages one at a time") {
            var messages: [KafkaConsumerMessage] = []
            for try await message in consumer.messages {
                messages.append(message)
                if messages.count >= 5_000 { break }
            }
            return messages
        }
        await consumer.close()

        #expect(messages.map(\.offset) == Array(0..<5_000))
        #expect(messages.map(\.value) == (0..<5_000).map { Array("m-\($0)".utf8) })
        #expect(messages.map(\.keyString) == (0..<5_000).map { "k-\($0)" })
    }

    /// A fresh one-partition topic of `cluster` holding `count` acknowledged messages.
    private func topic(on cluster: EmbeddedKafkaCluster, backlog count: Int) async throws -> String {
        let topic = uniqueName("batches")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: count)
        await producer.close()
        return topic
    }
}
