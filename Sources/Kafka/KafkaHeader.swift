/// A Kafka record header. Kafka allows repeated keys and a `nil` value.
public struct KafkaHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is `value`'s UTF-8 bytes.
    public init(key: String, string value: String) {
        self.init(key: key, value: Array(value.utf8))
    }

    /// The value decoded as UTF-8, if there is one.
    public var stringValue: String? {
        value.map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Array where Element == KafkaHeader {
    /// The first header's value for `key`, as a UTF-8 string.
    public func first(_ key: String) -> String? {
        first { $0.key == key }?.stringValue
    }
}
