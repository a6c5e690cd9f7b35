/// Kafka's rules for topic names, checked before a name reaches the network.
package enum KafkaTopicName {
    package static func validate(_ name: String) throws(KafkaError) {
        let legal = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard !name.isEmpty, name.utf8.count <= 249, name != ".", name != "..", legal else {
            throw KafkaError(
                code: .invalidTopicName,
                message: "invalid topic name '\(name)': use 1 to 249 characters of [a-zA-Z0-9._-], not '.' or '..'"
            )
        }
    }
}
