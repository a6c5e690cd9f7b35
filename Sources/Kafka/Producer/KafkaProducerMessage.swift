/// A message to produce. A `nil` key lets the partitioner choose freely; a `nil` value is a tombstone.
public struct KafkaProducerMessage: Sendable, Hashable {
    public var topic: String
    /// An explicit partition, or `nil` for librdkafka's partitioner (by key hash when there is a key).
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// A message whose key is `key`'s UTF-8 bytes.
    public init(topic: String, partition: Int32? = nil, key: String, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.init(topic: topic, partition: partition, key: Array(key.utf8), value: value, headers: headers)
    }
}
