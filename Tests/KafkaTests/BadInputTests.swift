import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

@Suite("Bad input fails early and clearly")
struct BadInputTests {
    @Test("An unknown property fails at construction with librdkafka's message naming it")
    func unknownProperty() throws {
        let configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"], properties: ["no.such.property": "1"])
        let error = try #require(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error.code == .configuration)
        #expect(error.message.contains("No such configuration property"), "librdkafka's own text: \(error.message)")
        #expect(error.message.contains("no.such.property"))
        #expect(throws: KafkaError.self) { try configuration.validate() }
    }

    @Test("An invalid value fails at construction with librdkafka's message naming the property")
    func invalidValue() throws {
        let configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"], properties: ["session.timeout.ms": "soon"])
        let error = try #require(throws: KafkaError.self) {
            try KafkaConsumer(configuration: withGroup(configuration))
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("session.timeout.ms"), "\(error.message)")
        #expect(error.message.lowercased().contains("invalid value"), "\(error.message)")
    }

    @Test("A consumer without a group id fails at construction, saying it needs group.id")
    func consumerWithoutGroup() throws {
        let error = try #require(throws: KafkaError.self) {
            try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"]))
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("group.id"))
    }

    @Test("send to an unreachable broker throws a timeout within message.timeout.ms instead of hanging")
    func unreachableBootstrap() async throws {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"], properties: ["message.timeout.ms": "1000"])
        configuration.properties["log_level"] = "0"
        let producer = try KafkaProducer(configuration: configuration)
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try await finishing(within: .seconds(10), "send to 127.0.0.1:1 to fail") { () -> Result<KafkaDeliveryReport, KafkaError> in
            do throws(KafkaError) { return .success(try await producer.send(KafkaProducerMessage(topic: "unreachable", key: "k", value: [1]))) } catch { return .failure(error) }
        }
        let elapsed = clock.now - started
        await producer.close(timeout: .seconds(1))
        guard case .failure(let error) = outcome else {
            Issue.record("send to an unreachable broker succeeded")
            return
        }
        #expect(error.code == .timedOut || error.code == .transport, "\(error)")
        #expect(error.isRetryable)
        // librdkafka scans for timed-out messages once a second: 1 s timeout + up to 1 s scan, with slack for slow builds.
        #expect(elapsed < .seconds(15), "message.timeout.ms is 1 s; took \(elapsed)")  // no hang; loose for a loaded 2-core CI
    }

    @Test("An invalid topic name is refused for produce and subscribe")
    func invalidTopicName() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        let produceError = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: "bad topic!", key: "k", value: [1]))
        }
        #expect(produceError?.code == .invalidTopicName)
        let enqueueError = await #expect(throws: KafkaError.self) {
            try await producer.enqueue(KafkaProducerMessage(topic: "bad topic!", key: "k", value: [1])) { _ in }
        }
        #expect(enqueueError?.code == .invalidTopicName)
        await producer.close(timeout: .seconds(1))

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        let subscribeError = #expect(throws: KafkaError.self) { try consumer.subscribe(topics: ["ok-topic", "bad topic!"]) }
        #expect(subscribeError?.code == .invalidTopicName)
        #expect(subscribeError?.message.contains("bad topic!") == true)
        await consumer.close()
    }

    @Test("createTopics against the embedded cluster fails with a clear error instead of hanging")
    func createTopicsOnTheEmbeddedCluster() async throws {
        // librdkafka's mock cluster does not implement CreateTopics (tests use EmbeddedKafkaCluster.createTopic);
        // KafkaAdmin.createTopics is exercised against real Kafka in docker-compose only.
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let admin = try KafkaAdmin(configuration: cluster.adminConfiguration())
        let outcome = try await finishing(within: .seconds(10), "createTopics to fail") { () -> KafkaError? in
            do throws(KafkaError) {
                try await admin.createTopics([KafkaNewTopic(name: uniqueName("created"), partitions: 2, replicationFactor: 1)], timeout: .seconds(3))
                return nil
            } catch {
                return error
            }
        }
        let error = try #require(outcome, "the embedded cluster cannot create topics through CreateTopics")
        // With no controller in the mock's metadata, librdkafka gives up waiting for one at the request timeout.
        #expect(error.code == .timedOut || error.code == .admin, "\(error)")
        #expect(error.message.hasPrefix("CreateTopics: "), "says which request failed: \(error.message)")
        #expect(!error.message.hasSuffix("Timed out: Local: Timed out"), "librdkafka's text once: \(error.message)")
    }
}

private func withGroup(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
    var configuration = configuration
    configuration.groupID = "group"
    return configuration
}
