import EmbeddedKafka
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("Committing offsets by hand")
struct ManualCommitTests {
    @Test("A group reopened after storing and committing offset 500 resumes at 500 and reads nothing before it")
    func resumesAfterTheCommittedOffset() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("manual-commit")
        try cluster.createTopic(topic, partitions: 1)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: 1000, partition: 0)
        await producer.close()

        let group = uniqueName("group")
        // The reopened member's join is a rebalance of the group, which the mock takes session.timeout.ms - 1 s for.
        let first = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group, sessionTimeout: .seconds(6)))
        try first.subscribe(topics: [topic])
        let firstHalf = try await consume(first, count: 500, timeout: .seconds(20)).prefix(500)
        #expect(firstHalf.map(\.offset) == Array(0..<500))
        try first.storeOffsets([partition: 500])
        try await first.commit()
        #expect(try await first.committed([partition]) == [partition: 500])
        await first.close()

        let reopened = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group, sessionTimeout: .seconds(6)))
        try reopened.subscribe(topics: [topic])
        let rest = try await consume(reopened, count: 500, timeout: .seconds(20))
        await reopened.close()
        #expect(rest.first?.offset == 500)
        #expect(rest.map(\.offset) == Array(500..<1000), "exactly the uncommitted half, once, in order")
        #expect(rest.first?.value == Array("m-500".utf8))
    }

    @Test("A background commit commits the stored offsets; one the coordinator refuses reports its failure, and the next commits")
    func backgroundCommit() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("background-commit")
        try cluster.createTopic(topic, partitions: 1)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        try await produceAcknowledged(producer, topic: topic, count: 100, partition: 0)
        await producer.close()

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        _ = try await consume(consumer, count: 100, timeout: .seconds(20))
        let failures = Mutex<[KafkaError]>([])

        try consumer.storeOffsets([partition: 40])
        consumer.commitInBackground { error in failures.withLock { $0.append(error) } }
        try await waitUntil("offset 40 committed", timeout: .seconds(10)) { try await consumer.committed([partition]) == [partition: 40] }

        cluster.pushRequestErrors(.offsetCommit, [.offsetMetadataTooLarge])
        try consumer.storeOffsets([partition: 70])
        consumer.commitInBackground { error in failures.withLock { $0.append(error) } }
        try await waitUntil("the refusal is reported", timeout: .seconds(10)) { failures.withLock { !$0.isEmpty } }
        #expect(failures.withLock { $0.map(\.code) } == [.commit])
        #expect(try await consumer.committed([partition]) == [partition: 40])

        consumer.commitInBackground { error in failures.withLock { $0.append(error) } }
        try await waitUntil("offset 70 committed by the next commit", timeout: .seconds(10)) {
            try await consumer.committed([partition]) == [partition: 70]
        }
        #expect(failures.withLock { $0.count } == 1)
        await consumer.close()
    }
}
