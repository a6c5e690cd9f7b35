import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

@Suite("Produce and consume on the embedded cluster")
struct ProduceConsumeTests {
    @Test("10,000 keyed messages with headers come back intact, in order per key")
    func roundTrip() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueName("round-trip")
        try cluster.createTopic(topic, partitions: 8, replicationFactor: 3)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        let total = 10_000
        let keys = 250
        let sent = (0..<total).map { index in
            KafkaProducerMessage(
                topic: topic,
                key: "key-\(index % keys)",
                value: Array("value-\(index)".utf8),
                headers: [KafkaHeader(key: "index", string: "\(index)"), KafkaHeader(key: "empty", value: nil)]
            )
        }
        let delivered = Counter()
        for message in sent {
            try await producer.enqueue(message) { result in
                if case .success = result { delivered.increment() }
            }
        }
        try await producer.flush(timeout: .seconds(30))
        #expect(delivered.value == total)

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let received = try await consume(consumer, count: total)
        await consumer.close()
        await producer.close()

        #expect(received.count == total)
        var lastIndexByKey: [String: Int] = [:]
        for message in received {
            let index = try #require(Int(message.headers.first("index") ?? ""))
            #expect(message.keyString == "key-\(index % keys)")
            #expect(message.value == Array("value-\(index)".utf8))
            #expect(message.headers.count == 2)
            #expect(message.headers.contains(KafkaHeader(key: "empty", value: nil)))
            let key = try #require(message.keyString)
            #expect(index > lastIndexByKey[key, default: -1], "order of \(key)")
            lastIndexByKey[key] = index
        }
        #expect(Set(received.compactMap { $0.headers.first("index") }).count == total)
    }

    @Test("A message without key or value is read back with nil key and nil value")
    func tombstone() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("tombstone")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: nil, value: nil))
        let empty = try await producer.send(KafkaProducerMessage(topic: topic, key: [], value: []))
        #expect(report.topic == topic && report.partition == 0 && report.offset == 0)
        #expect(empty.offset == 1)

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let received = try await consume(consumer, count: 2)
        await consumer.close()
        await producer.close()
        #expect(received[0].key == nil && received[0].value == nil)
        #expect(received[1].key == [] && received[1].value == [])
    }

    @Test("send returns the partition and offset the broker stored the message at")
    func deliveryReport() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("report")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for expected in 0..<3 {
            let report = try await producer.send(KafkaProducerMessage(topic: topic, partition: 2, key: "k", value: [1]))
            #expect(report.partition == 2)
            #expect(report.offset == Int64(expected))
            #expect(report.timestampMilliseconds != nil)
        }
        await producer.close()
    }
}
