import EmbeddedKafka
import Kafka
import KinferTestSupport
import Testing

/// `KafkaConsumerMessage` keeps key, value and headers in one encoded buffer and makes arrays on
/// demand; these check that nothing is lost or confused on the way in and out.
@Suite("Consumer messages keep key, value and headers byte for byte")
struct ConsumerMessageTests {
    /// Empty and null values, a repeated name, an empty name, and bytes that are not UTF-8.
    static let awkwardHeaders = [
        KafkaHeader(key: "empty", value: []),
        KafkaHeader(key: "null", value: nil),
        KafkaHeader(key: "repeated", string: "first"),
        KafkaHeader(key: "repeated", string: "second"),
        KafkaHeader(key: "", value: [0, 255, 0xC3]),
        KafkaHeader(key: "ünïcödé", string: "välue"),
    ]

    @Test("Headers with empty, null, repeated and non-UTF-8 values survive; firstHeader and header(named:) agree with headers.first")
    func headersRoundTrip() {
        let message = KafkaConsumerMessage(topic: "t", partition: 1, offset: 2, key: [1, 2], value: [3], headers: Self.awkwardHeaders)
        #expect(message.headers == Self.awkwardHeaders)
        #expect(message.key == [1, 2] && message.value == [3])
        for name in ["empty", "null", "repeated", "", "ünïcödé", "absent"] {
            #expect(message.firstHeader(name) == message.headers.first(name), "header \(name)")
            #expect(message.header(named: name) == message.headers.first { $0.key == name }, "whole header \(name)")
        }
        #expect(message.header(named: "null") == KafkaHeader(key: "null", value: nil))
        #expect(message.header(named: "absent") == nil)
        #expect(message.firstHeader("repeated") == "first")
        #expect(message.firstHeader("empty") == "")
        #expect(message.firstHeader("null") == nil)
    }

    @Test("A missing key or value is nil and an empty one is empty; they are not equal")
    func nilAndEmpty() {
        let missing = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: nil, value: nil)
        let empty = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: [], value: [])
        #expect(missing.key == nil && missing.value == nil && missing.headers.isEmpty)
        #expect(empty.key == [] && empty.value == [])
        #expect(missing != empty)
        let keyOnly = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: [7], value: nil)
        let valueOnly = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: nil, value: [7])
        #expect(keyOnly != valueOnly)
    }

    @Test("withUnsafeValue sees exactly value's bytes: nil for a tombstone, empty for an empty value, never the key's")
    func valueInPlace() {
        func inPlace(_ message: KafkaConsumerMessage) -> [UInt8]? {
            message.withUnsafeValue { $0.map { Array($0) } }
        }
        for (key, value) in [([1, 2, 3], [4, 5]), (nil, [6]), ([7], nil), (nil, nil), ([], []), ([8, 9], [])] as [([UInt8]?, [UInt8]?)] {
            let message = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: key, value: value, headers: [KafkaHeader(key: "h", value: [10])])
            #expect(inPlace(message) == value, "key \(String(describing: key)), value \(String(describing: value))")
        }
    }

    @Test("Setting key, value or headers changes that field only; equal contents are equal and hash alike")
    func settersAndEquality() {
        var message = KafkaConsumerMessage(topic: "t", partition: 0, offset: 5, key: [1], value: [2, 3], headers: Self.awkwardHeaders)
        message.key = nil
        #expect(message.key == nil && message.value == [2, 3] && message.headers == Self.awkwardHeaders)
        message.value = Array(repeating: 9, count: 100_000)
        #expect(message.key == nil && message.value?.count == 100_000 && message.headers == Self.awkwardHeaders)
        message.headers = []
        #expect(message.headers.isEmpty && message.value?.count == 100_000)

        let a = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: [1], value: [2], headers: Self.awkwardHeaders)
        let b = KafkaConsumerMessage(topic: "t", partition: 0, offset: 0, key: [1], value: [2], headers: Self.awkwardHeaders)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        var c = b
        c.headers[1] = KafkaHeader(key: "null", value: [])
        #expect(a != c)
    }

    @Test("Awkward headers and a 900 KB value come back from the cluster byte for byte")
    func throughTheCluster() async throws {
        let large = (0..<900_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (sent, received) = try await roundTrip { topic in
            [
                KafkaProducerMessage(topic: topic, key: [0, 1], value: large, headers: Self.awkwardHeaders),
                KafkaProducerMessage(topic: topic, key: nil, value: [], headers: [KafkaHeader(key: "only-null", value: nil)]),
                KafkaProducerMessage(topic: topic, key: [], value: nil),
            ]
        }

        #expect(received.map(\.key) == sent.map(\.key))
        #expect(received.map(\.value) == sent.map(\.value))
        #expect(received.map(\.headers) == sent.map(\.headers))
        #expect(received[0].firstHeader("repeated") == "first")
        #expect(received[1].firstHeader("only-null") == nil && received[1].headers.count == 1)
    }

    @Test("2,000 messages of 0 to 100 KB, with and without keys, values and headers, come back byte for byte across shared buffers")
    func sharedBuffers() async throws {
        var generator = SystemRandomNumberGenerator()
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        // Mostly small (many share a buffer, and buffers fill up), some far over the limit (their own buffers).
        let (sent, received) = try await roundTrip { topic in
            (0..<2_000).map { index in
                let size = index % 50 == 0 ? Int.random(in: 60_000...100_000, using: &generator) : Int.random(in: 0...300, using: &generator)
                return KafkaProducerMessage(
                    topic: topic,
                    key: index % 7 == 0 ? nil : Array("key-\(index)".utf8),
                    value: index % 11 == 0 ? nil : bytes(size),
                    headers: index % 3 == 0 ? [] : [KafkaHeader(key: "n", value: Array("\(index)".utf8)), KafkaHeader(key: "odd", value: index % 2 == 0 ? nil : bytes(index % 40))]
                )
            }
        }

        #expect(received.count == sent.count)
        for (message, original) in zip(received, sent) {
            #expect(message.key == original.key && message.value == original.value && message.headers == original.headers, "offset \(message.offset)")
            #expect(message.withUnsafeValue { $0.map { Array($0) } } == original.value)
        }
    }

    /// Produces the messages `make` gives for a fresh one-partition topic of a one-broker cluster, checks that every
    /// one was delivered, and reads them back in order in a fresh group.
    private func roundTrip(_ make: (_ topic: String) -> [KafkaProducerMessage]) async throws -> (sent: [KafkaProducerMessage], received: [KafkaConsumerMessage]) {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueName("round-trip")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        let sent = make(topic)
        let failed = Counter()
        for message in sent {
            try await producer.enqueue(message) { if case .failure = $0 { failed.increment() } }
        }
        try await producer.flush(timeout: .seconds(30))
        #expect(failed.value == 0, "deliveries failed")

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("group")))
        try consumer.subscribe(topics: [topic])
        let received = try await consume(consumer, count: sent.count)
        await consumer.close()
        await producer.close()
        return (sent, received)
    }
}
