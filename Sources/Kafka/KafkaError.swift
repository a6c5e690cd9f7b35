import CRdKafka

/// An error from Kafka or from librdkafka, with librdkafka's own message.
///
/// `code` says what kind of failure it is; `librdkafkaCode` is librdkafka's
/// `rd_kafka_resp_err_t` where the failure came from librdkafka.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; new kinds can be added without breaking the API.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case configuration, invalidTopicName, queueFull, delivery, timedOut, consumer, commit
            case admin, transport, cluster, closed, rdKafka
        }
        fileprivate let base: Base
        public var description: String { base.rawValue }

        /// A configuration property is unknown or its value invalid.
        public static let configuration = Code(base: .configuration)
        /// A topic name Kafka would reject.
        public static let invalidTopicName = Code(base: .invalidTopicName)
        /// librdkafka's local queue is full (surfaced only where waiting is impossible).
        public static let queueFull = Code(base: .queueFull)
        /// The broker did not acknowledge a message.
        public static let delivery = Code(base: .delivery)
        /// An operation did not complete within its timeout.
        public static let timedOut = Code(base: .timedOut)
        /// The consumer failed (subscription, fetch, assignment).
        public static let consumer = Code(base: .consumer)
        /// An offset commit failed.
        public static let commit = Code(base: .commit)
        /// An admin request failed.
        public static let admin = Code(base: .admin)
        /// No broker could be reached.
        public static let transport = Code(base: .transport)
        /// The embedded cluster could not be created or changed.
        public static let cluster = Code(base: .cluster)
        /// The client was already closed.
        public static let closed = Code(base: .closed)
        /// Any other librdkafka error.
        public static let rdKafka = Code(base: .rdKafka)
    }

    public let code: Code
    /// librdkafka's error code, when librdkafka reported the failure.
    public let librdkafkaCode: Int32?
    public let message: String

    public init(code: Code, message: String, librdkafkaCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.librdkafkaCode = librdkafkaCode
    }

    public var description: String {
        "Kafka \(code) error: \(message)"
    }

    /// Whether trying the same operation again may succeed (librdkafka's retriable flag, timeouts, transport).
    public var isRetryable: Bool {
        switch code.base {
        case .timedOut, .transport, .queueFull: return true
        case .delivery, .commit, .admin, .rdKafka, .consumer:
            guard let raw = librdkafkaCode else { return false }
            return Self.retryableCodes.contains(raw)
        default: return false
        }
    }

    /// Whether the broker or librdkafka refused a produced message for itself (larger than `message.max.bytes`, an
    /// invalid record): producing the same message again fails the same way.
    public var isMessageRejected: Bool {
        guard let raw = librdkafkaCode else { return false }
        return Self.messageRejectedCodes.contains(raw)
    }

    private static let messageRejectedCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE.rawValue,
        RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE.rawValue, RD_KAFKA_RESP_ERR_INVALID_RECORD.rawValue,
    ]

    private static let retryableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__TRANSPORT.rawValue, RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND.rawValue, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue,
        RD_KAFKA_RESP_ERR__WAIT_COORD.rawValue, RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue,
    ]
}

extension KafkaError {
    /// Wraps a librdkafka response code, keeping librdkafka's text.
    init(code: Code, _ err: rd_kafka_resp_err_t, context: String? = nil) {
        let text = String(cString: rd_kafka_err2str(err))
        let message = context.map { "\($0): \(text)" } ?? text
        let mapped: Code
        switch err {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT: mapped = .timedOut
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE: mapped = .transport
        default: mapped = code
        }
        self.init(code: mapped, message: message, librdkafkaCode: err.rawValue)
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(code: Code, consuming error: OpaquePointer, context: String? = nil) {
        defer { rd_kafka_error_destroy(error) }
        let text = String(cString: rd_kafka_error_string(error))
        self.init(
            code: code,
            message: context.map { "\($0): \(text)" } ?? text,
            librdkafkaCode: rd_kafka_error_code(error).rawValue
        )
    }

    /// Throws when `err` is not `RD_KAFKA_RESP_ERR_NO_ERROR`.
    package static func check(_ err: rd_kafka_resp_err_t, code: Code, context: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: code, err, context: context) }
    }

    /// Throws (and destroys the error) when librdkafka returned an `rd_kafka_error_t`.
    static func check(_ error: OpaquePointer?, code: Code, context: String) throws(KafkaError) {
        guard let error else { return }
        throw KafkaError(code: code, consuming: error, context: context)
    }
}
