import EmbeddedKafka
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@Suite("Producing through broker failures")
struct BrokerFailureTests {
    @Test("A partition leader going down and up mid-stream loses and duplicates no acknowledged message")
    func brokerDownAndUp() async throws {
        let (cluster, topic) = try makeReplicatedTopic("broker-down")
        let run = try await produceWithFault(cluster: cluster, topic: topic) { cluster, delivered in
            try await waitUntil("1/4 of the messages acknowledged", timeout: .seconds(30)) { delivered.value >= total / 4 }
            try cluster.setBrokerDown(1)
            let atDown = delivered.value
            // Partitions 1 and 2 keep their leaders: their acknowledgements go on while partition 0 waits.
            try await waitUntil("more acknowledgements while broker 1 is down", timeout: .seconds(30)) { delivered.value >= atDown + 1000 }
            let atUp = delivered.value
            try cluster.setBrokerUp(1)
            #expect(atUp < total, "broker 1 came back before the stream ended")
        }
        try await expectExactlyOnce(run, cluster: cluster, topic: topic)
    }

    @Test("Retriable produce errors injected mid-stream lose and duplicate no acknowledged message")
    func retriableProduceErrors() async throws {
        let (cluster, topic) = try makeReplicatedTopic("produce-errors")
        let run = try await produceWithFault(cluster: cluster, topic: topic) { cluster, delivered in
            try await waitUntil("1/4 of the messages acknowledged", timeout: .seconds(30)) { delivered.value >= total / 4 }
            let atInjection = delivered.value
            cluster.pushRequestErrors(
                .produce,
                [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .leaderNotAvailable, .notEnoughReplicas, .requestTimedOut]
            )
            #expect(atInjection < total, "the errors were injected mid-stream")
        }
        try await expectExactlyOnce(run, cluster: cluster, topic: topic)
    }
}

private let total = 20_000
private let partitions: Int32 = 3

/// 3 brokers, a topic of 3 partitions replicated 3 times, broker N+1 leading partition N.
private func makeReplicatedTopic(_ prefix: String) throws -> (EmbeddedKafkaCluster, String) {
    let cluster = try EmbeddedKafkaCluster(brokers: 3)
    let topic = uniqueName(prefix)
    try cluster.createTopic(topic, partitions: Int(partitions), replicationFactor: 3)
    for partition in 0..<partitions {
        try cluster.setPartitionLeader(topic: topic, partition: partition, broker: partition + 1)
    }
    return (cluster, topic)
}

private struct ProductionRun {
    var acknowledged: [String]
    var failures: [KafkaError]
}

/// Enqueues `total` unique values round-robin over the partitions, idempotently, while `fault` runs
/// alongside (driven by the acknowledgement count); returns what was acknowledged and what failed.
private func produceWithFault(
    cluster: EmbeddedKafkaCluster,
    topic: String,
    fault: @escaping @Sendable (EmbeddedKafkaCluster, Counter) async throws -> Void
) async throws -> ProductionRun {
    var configuration = cluster.producerConfiguration()
    #expect(configuration.idempotence == true)
    // A small local queue keeps production paced by acknowledgements, so the fault lands mid-stream.
    configuration.properties["queue.buffering.max.messages"] = "1000"
    configuration.properties["reconnect.backoff.max.ms"] = "200"
    let producer = try KafkaProducer(configuration: configuration)
    let delivered = Counter()
    let acknowledged = Mutex<[String]>([])
    let failures = Mutex<[KafkaError]>([])
    let faultTask = Task { try await fault(cluster, delivered) }
    for index in 0..<total {
        let value = "value-\(index)"
        let message = KafkaProducerMessage(topic: topic, partition: Int32(index) % partitions, key: nil, value: Array(value.utf8))
        try await producer.enqueue(message) { result in
            switch result {
            case .success:
                acknowledged.withLock { $0.append(value) }
                delivered.increment()
            case .failure(let error):
                failures.withLock { $0.append(error) }
            }
        }
    }
    try await faultTask.value
    try await producer.flush(timeout: .seconds(30))
    await producer.close()
    return ProductionRun(acknowledged: acknowledged.withLock { $0 }, failures: failures.withLock { $0 })
}

/// Every message was acknowledged, and the topic holds each acknowledged value exactly once.
private func expectExactlyOnce(_ run: ProductionRun, cluster: EmbeddedKafkaCluster, topic: String) async throws {
    #expect(run.failures.isEmpty, "failed deliveries: \(run.failures.prefix(3))")
    #expect(run.acknowledged.count == total)
    #expect(Set(run.acknowledged).count == run.acknowledged.count, "each message acknowledged once")

    let admin = try KafkaAdmin(configuration: cluster.adminConfiguration())
    var written: Int64 = 0
    for partition in 0..<partitions {
        written += try await admin.watermarks(of: KafkaTopicPartition(topic: topic, partition: partition), timeout: .seconds(10)).high
    }
    #expect(written == Int64(run.acknowledged.count), "the topic holds as many messages as were acknowledged")

    let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
    try consumer.subscribe(topics: [topic])
    let stored = try await consume(consumer, count: Int(written), timeout: .seconds(30))
    await consumer.close()
    let values = stored.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    #expect(values.count == run.acknowledged.count)
    #expect(Set(values).count == values.count, "no value stored twice")
    #expect(Set(values) == Set(run.acknowledged), "every acknowledged value is stored")
}
