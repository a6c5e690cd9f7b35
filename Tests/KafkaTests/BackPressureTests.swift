import EmbeddedKafka
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

    @Test("A revoke reaches a consumer whose buffer is full long before pauseDelay")
    func revokeIsServedWhileHolding() async throws {
        var options = KafkaConsumer.Options()
        options.bufferCapacity = 500
        options.pauseDelay = .seconds(60)  // the hold never turns into a pause here
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let (topic, configuration) = try await quicklyRebalancingGroup(on: cluster, backlog: 5_000)

        let listener = AssignmentRecorder()
        let first = try KafkaConsumer(configuration: configuration, options: options, rebalanceListener: listener)
        try first.subscribe(topics: [topic])
        // Nobody reads `first`: its buffer fills and the poll thread holds, waiting for room.
        try await waitUntil("the buffer fills", timeout: .seconds(20)) { first.bufferedMessageCount >= 500 }
        #expect(first.pausedPartitionCount == 0)

        let second = try KafkaConsumer(configuration: configuration)
        try second.subscribe(topics: [topic])
        // Before the hold polled for rebalances, the revoke waited for the hold to end: 60 s here.
        try await waitUntil("the revoke to reach the holding consumer", timeout: .seconds(10)) { listener.revocations > 0 }
        await second.close()
        await first.close()
    }

    @Test("Partitions paused by back-pressure and then revoked come back unpaused when assigned again")
    func backPressurePauseDoesNotOutliveARebalance() async throws {
        let total = 20_000
        var options = KafkaConsumer.Options()
        options.bufferCapacity = 500
        options.pauseDelay = .milliseconds(100)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let (topic, configuration) = try await quicklyRebalancingGroup(on: cluster, backlog: total)

        let assignments = AssignmentRecorder()
        let first = try KafkaConsumer(configuration: configuration, options: options, rebalanceListener: assignments)
        try first.subscribe(topics: [topic])
        // Nobody reads `first`: its buffer fills and back-pressure pauses all four partitions.
        try await waitUntil("back-pressure pauses the partitions", timeout: .seconds(20)) { first.pausedPartitionCount == 4 }

        // A second member takes half; the eager rebalance revokes all four from `first` and gives two back.
        let second = try KafkaConsumer(configuration: configuration)
        try second.subscribe(topics: [topic])
        let draining = Task { for try await _ in second.messages {} }
        try await waitUntil("the group splits the partitions", timeout: .seconds(20)) { assignments.all.count >= 2 }
        let reassigned = Set(assignments.all.last!)
        #expect(reassigned.count == 2)

        // The reader catches up: `first` must fetch from both partitions it got back, though it paused them before.
        let seen = try await finishing(within: .seconds(15), "messages from both partitions `first` got back") {
            var seen: Set<KafkaTopicPartition> = []
            for try await batch in first.batches(maxCount: 1000) {
                seen.formUnion(batch.map(\.topicPartition).filter(reassigned.contains))
                if seen == reassigned { break }
            }
            return seen
        }
        draining.cancel()
        await second.close()
        await first.close()
        #expect(seen == reassigned)
    }

    /// A fresh 4-partition topic of `cluster` holding `count` acknowledged messages, and the configuration of a new
    /// group that notices rebalances quickly (session 6 s, the mock's shortest practical; heartbeats every 100 ms).
    private func quicklyRebalancingGroup(on cluster: EmbeddedKafkaCluster, backlog count: Int) async throws -> (String, KafkaConfiguration) {
        let topic = uniqueName("rebalance-back-pressure")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: count)
        await producer.close()
        var configuration = cluster.consumerConfiguration(group: uniqueName("group"), sessionTimeout: .seconds(6))
        configuration.properties["heartbeat.interval.ms"] = "100"
        return (topic, configuration)
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

/// Records each assignment the consumer receives, and counts revocations.
private final class AssignmentRecorder: KafkaRebalanceListener {
    private let assignments = Mutex<[[KafkaTopicPartition]]>([])
    private let revocationCount = Atomic<Int>(0)

    var all: [[KafkaTopicPartition]] { assignments.withLock { $0 } }
    var revocations: Int { revocationCount.load(ordering: .relaxed) }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) {
        assignments.withLock { $0.append(partitions) }
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        revocationCount.add(1, ordering: .relaxed)
    }
}
