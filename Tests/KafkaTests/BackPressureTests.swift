import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("Back-pressure in the producer and the consumer")
struct BackPressureTests {
    @Test("100,000 messages through a local queue of 100 are all delivered, none dropped")
    func producerWaitsForQueueRoom() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("producer-back-pressure")
        let partitions: Int32 = 4
        try cluster.createTopic(topic, partitions: Int(partitions))
        var configuration = cluster.producerConfiguration()
        configuration.properties["queue.buffering.max.messages"] = "100"
        let producer = try KafkaProducer(configuration: configuration)
        let total = 100_000
        let delivered = Counter()
        let failed = Counter()
        for index in 0..<total {
            let message = KafkaProducerMessage(topic: topic, partition: Int32(index % Int(partitions)), key: nil, value: Array("\(index)".utf8))
            try await producer.enqueue(message) { result in
                switch result {
                case .success: delivered.increment()
                case .failure: failed.increment()
                }
            }
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
        #expect(delivered.value == total)
        #expect(failed.value == 0)

        let admin = try KafkaAdmin(configuration: cluster.adminConfiguration())
        var written: Int64 = 0
        for partition in 0..<partitions {
            written += try await admin.watermarks(of: KafkaTopicPartition(topic: topic, partition: partition), timeout: .seconds(10)).high
        }
        #expect(written == Int64(total))
    }

    @Test("A slow reader makes the consumer pause its partitions, and every message still arrives exactly once")
    func consumerPausesWhileTheReaderIsBehind() async throws {
        let total = 20_000
        var options = KafkaConsumer.Options()
        options.bufferCapacity = 500
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let consumer = try await subscribed(on: cluster, toBacklogOf: total, options: options)
        // The reader has not started: the buffer fills and the poll thread pauses fetching.
        try await waitUntil("the consumer pauses its partitions", timeout: .seconds(20)) { consumer.pausedPartitionCount > 0 }
        #expect(consumer.pausedPartitionCount == 4)

        let received = try await consume(consumer, count: total, timeout: .seconds(30))
        try await waitUntil("fetching resumes once the reader caught up", timeout: .seconds(5)) { consumer.pausedPartitionCount == 0 }
        await consumer.close()
        #expect(received.count == total, "no message twice")
        #expect(Set(received.map { "\($0.partition):\($0.offset)" }).count == total)
        #expect(Set(received.compactMap(\.value)) == Set((0..<total).map { Array("m-\($0)".utf8) }))
    }

    @Test("A reader behind for less than pauseDelay leaves messages in librdkafka's queue: no pause, no message twice")
    func shortStallsDoNotPause() async throws {
        let total = 20_000
        var options = KafkaConsumer.Options()
        options.bufferCapacity = 500
        options.pauseDelay = .seconds(60)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let consumer = try await subscribed(on: cluster, toBacklogOf: total, options: options)
        // Without the hold, the turn that fills the buffer would also pause every partition.
        try await waitUntil("the buffer fills", timeout: .seconds(20)) { consumer.bufferedMessageCount >= 500 }
        #expect(consumer.pausedPartitionCount == 0)

        let sawPause = Atomic<Bool>(false)
        let sampler = Task {
            while !Task.isCancelled {
                if consumer.pausedPartitionCount > 0 { sawPause.store(true, ordering: .relaxed) }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        let received = try await consume(consumer, count: total, timeout: .seconds(30))
        sampler.cancel()
        await consumer.close()
        let pausedWhileReading = sawPause.load(ordering: .relaxed)
        #expect(!pausedWhileReading)
        #expect(received.count == total, "no message twice")
        #expect(Set(received.map { "\($0.partition):\($0.offset)" }).count == total)
    }

    /// A consumer with `options`, subscribed to a fresh 4-partition topic of `cluster` that already holds `count`
    /// acknowledged messages (`m-0`, `m-1`, ...).
    private func subscribed(
        on cluster: EmbeddedKafkaCluster,
        toBacklogOf count: Int,
        options: KafkaConsumer.Options
    ) async throws -> KafkaConsumer {
        let topic = uniqueName("consumer-back-pressure")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: count)
        await producer.close()
        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")), options: options)
        try consumer.subscribe(topics: [topic])
        return consumer
    }
}
