import CRdKafka

/// A message read from Kafka. A missing key or value (a tombstone) is `nil`.
///
/// The key, value and headers are copied from librdkafka into a buffer shared with other messages of the same poll
/// (``KafkaMessageBytes``; 16 KiB at most, a larger message has its own): holding a message keeps that buffer.
/// ``key``, ``value`` and ``headers`` make their arrays when read, and each read makes them again: read them once,
/// use ``withUnsafeValue(_:)`` to decode the value where it lies, and ``firstHeader(_:)`` to look up one header.
public struct KafkaConsumerMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the Unix epoch, when the message has a timestamp.
    public var timestampMilliseconds: Int64?
    private var bytes: KafkaMessageBytes

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
        self.bytes = .make(key: key, value: value, headers: headers)
    }

    /// A librdkafka message whose key, value and headers are already copied into `bytes`
    /// (``KafkaMessageBytes/copying(_:)``).
    init(copying message: UnsafePointer<rd_kafka_message_t>, topic: String, bytes: KafkaMessageBytes) {
        self.topic = topic
        self.partition = message.pointee.partition
        self.offset = message.pointee.offset
        var kind = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &kind)
        self.timestampMilliseconds = kind == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        self.bytes = bytes
    }

    public var key: [UInt8]? {
        get { bytes.key }
        set { bytes = .make(key: newValue, value: value, headers: headers) }
    }

    public var value: [UInt8]? {
        get { bytes.value }
        set { bytes = .make(key: key, value: newValue, headers: headers) }
    }

    /// The headers in the order the producer sent them, repeated names and null values included.
    public var headers: [KafkaHeader] {
        get { bytes.headers }
        set { bytes = .make(key: key, value: value, headers: newValue) }
    }

    /// The first header named `key`, as UTF-8 text: `headers.first(key)` without making every header.
    public func firstHeader(_ key: String) -> String? {
        bytes.firstHeaderValue(named: key) { value in value.map { String(decoding: $0, as: UTF8.self) } } ?? nil
    }

    /// The first header named `key`, whole (a `nil` value kept): `headers.first { $0.key == key }` without making
    /// every header.
    public func header(named key: String) -> KafkaHeader? {
        bytes.header(named: key)
    }

    /// Calls `body` with the value's bytes where they lie, `nil` for a tombstone: ``value`` without the copy, for
    /// decoding. The pointer is valid only inside `body`.
    public func withUnsafeValue<R, E: Error>(_ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        try bytes.withValue(body)
    }

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }

    /// The key as UTF-8 text.
    public var keyString: String? {
        key.map { String(decoding: $0, as: UTF8.self) }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.topic == b.topic && a.partition == b.partition && a.offset == b.offset
            && a.timestampMilliseconds == b.timestampMilliseconds && a.bytes.hasSameContents(as: b.bytes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(partition)
        hasher.combine(offset)
        hasher.combine(timestampMilliseconds)
        bytes.hash(into: &hasher)
    }
}
