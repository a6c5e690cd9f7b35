import Synchronization
import CRdKafka

/// A message's delivery callback and topic in an object of its own: what ``DeliverySlots`` hands librdkafka as
/// the message opaque when no slot is free.
final class DeliveryHandler: Sendable {
    private let completion: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    /// The message's topic, kept so that the report need not rebuild the name from C for every message.
    let topic: String

    init(topic: String, _ completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) {
        self.topic = topic
        self.completion = completion
    }

    func complete(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        completion(result)
    }

    /// The outcome in a delivery report. `topic` is the name the message was produced to, kept with its
    /// callback, so that the report does not rebuild it from C.
    static func result(of message: UnsafePointer<rd_kafka_message_t>, topic: String) -> Result<KafkaDeliveryReport, KafkaError> {
        guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code: .delivery, message.pointee.err, context: "delivery to \(topic)"))
        }
        var kind = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &kind)
        return .success(
            KafkaDeliveryReport(
                topic: topic,
                partition: message.pointee.partition,
                offset: message.pointee.offset,
                timestampMilliseconds: kind == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
            )
        )
    }
}

/// The awaited outcome of one ``KafkaProducer/send(_:)``, fulfilled from the delivery report.
final class DeliveryPromise: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>)
        case fulfilled(Result<KafkaDeliveryReport, KafkaError>)
    }
    private let state = Mutex<State>(.pending)

    func fulfil(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        let waiter: CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>? = state.withLock { state in
            switch state {
            case .pending:
                state = .fulfilled(result)
                return nil
            case .waiting(let continuation):
                state = .fulfilled(result)
                return continuation
            case .fulfilled:
                preconditionFailure("a delivery report arrived twice")
            }
        }
        waiter?.resume(returning: result)
    }

    var result: Result<KafkaDeliveryReport, KafkaError> {
        get async {
            await withCheckedContinuation { continuation in
                let ready: Result<KafkaDeliveryReport, KafkaError>? = state.withLock { state in
                    switch state {
                    case .pending:
                        state = .waiting(continuation)
                        return nil
                    case .fulfilled(let result):
                        return result
                    case .waiting:
                        preconditionFailure("a delivery is awaited twice")
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
