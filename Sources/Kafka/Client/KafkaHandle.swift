import CRdKafka
import Logging

/// An owned `rd_kafka_t` and the Swift context its C callbacks reach.
///
/// librdkafka's handles are thread-safe, which is why this wrapper is `@unchecked Sendable`:
/// the pointer itself never changes, and every call on it is safe from any thread.
package final class KafkaHandle: @unchecked Sendable {
    package let pointer: OpaquePointer
    let context: KafkaCallbackContext
    let logger: Logger

    /// Makes a producer or consumer handle. `defaults` apply unless the user's configuration sets them;
    /// `forced` properties are applied after the user's and cannot be overridden.
    init(
        kind: rd_kafka_type_t,
        configuration: KafkaConfiguration,
        defaults: [(name: String, value: String)] = [],
        forced: [(String, String)] = [],
        context: KafkaCallbackContext
    ) throws(KafkaError) {
        let conf = try NativeConfiguration(configuration, defaults: defaults, overriding: forced)
        KafkaCallbackBridge.install(on: conf.pointer, context: context, producer: kind == RD_KAFKA_PRODUCER, statistics: context.statistics != nil)
        var reason = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(kind, conf.pointer, &reason, reason.count) else {
            conf.destroy()
            throw KafkaError(code: .configuration, message: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.pointer = handle
        self.context = context
        self.logger = context.logger
    }

    deinit {
        rd_kafka_destroy(pointer)
    }

    /// The name librdkafka gives this handle, e.g. `rdkafka#producer-1`.
    var name: String { String(cString: rd_kafka_name(pointer)) }
}

/// A librdkafka object pointer (`rd_kafka_queue_t`, `rd_kafka_t`) that may cross threads:
/// librdkafka documents these objects as thread-safe.
package struct ThreadSafePointer: @unchecked Sendable {
    package let pointer: OpaquePointer

    package init(pointer: OpaquePointer) {
        self.pointer = pointer
    }
}

extension KafkaHandle {
    /// A producer handle with no callbacks but the log, for a module of this package that drives librdkafka itself
    /// (the embedded cluster hosts its mock brokers on one).
    package static func bare(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) -> KafkaHandle {
        try KafkaHandle(kind: RD_KAFKA_PRODUCER, configuration: configuration, context: KafkaCallbackContext(logger: logger))
    }
}
