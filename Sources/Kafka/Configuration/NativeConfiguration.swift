import CRdKafka

/// An `rd_kafka_conf_t` filled from a ``KafkaConfiguration``: the one place properties reach librdkafka.
///
/// Ownership passes to librdkafka when a handle is made from it (`rd_kafka_new`); until then, ``destroy()`` frees it.
struct NativeConfiguration {
    let pointer: OpaquePointer

    /// `defaults` apply unless the configuration sets them; `forced` apply over it.
    init(_ configuration: KafkaConfiguration, defaults: [(name: String, value: String)] = [], overriding forced: [(String, String)] = []) throws(KafkaError) {
        pointer = rd_kafka_conf_new()
        do {
            // Later settings of a property replace earlier ones.
            for (name, value) in defaults + configuration.librdkafkaProperties + forced {
                try set(name, value)
            }
        } catch {
            rd_kafka_conf_destroy(pointer)
            throw error
        }
    }

    func set(_ name: String, _ value: String) throws(KafkaError) {
        var reason = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(pointer, name, value, &reason, reason.count)
        guard result == RD_KAFKA_CONF_OK else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(code: .configuration, message: text.isEmpty ? "invalid property \(name)" : text)
        }
    }

    func destroy() {
        rd_kafka_conf_destroy(pointer)
    }
}
