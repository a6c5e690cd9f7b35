import ConsumerKit
import Foundation
import InferenceJobs
import Kafka

/// The headers of the notifier's own messages. A message on the callbacks retry topic is the result as the worker
/// published it (the value is never rewritten, so the delivered body and its signature stay the same) with the
/// delivery's state in headers; a dead letter on the callbacks DLQ adds why it was given up.
public enum CallbackHeaders {
    /// The attempt the retry is for (2 for the first retry): `kinfer-attempt`, as on the jobs retry topic.
    public static let attempt = JobHeaders.attempt
    /// The earliest time of that attempt: `kinfer-not-before`, as on the jobs retry topic.
    public static let notBefore = JobHeaders.notBefore
    /// When the first attempt was made, RFC 3339: the schedule's maximum age counts from it.
    public static let firstAttempt = "kinfer-callback-first-attempt"
    /// The receiver's status on the last attempt, when it answered.
    public static let lastStatus = "kinfer-callback-last-status"
    /// On a dead letter: `callback` (see ``JobHeaders/errorClass``).
    public static let errorClassValue = "callback"

    /// What a message on the results or the retry topic says about its delivery.
    public struct Delivery: Sendable, Hashable {
        public var attempt: Int
        public var firstAttempt: Date?
        public var notBefore: Date?
    }

    /// The delivery state of `message`: attempt 1 and no dates for a result straight from the results topic, or
    /// a replayed dead letter (whose replay starts the schedule again).
    public static func delivery(of message: KafkaConsumerMessage) -> Delivery {
        let attempt = message.firstHeader(Self.attempt).flatMap(Int.init).map { max(1, $0) } ?? 1
        return Delivery(
            attempt: attempt,
            firstAttempt: message.firstHeader(Self.firstAttempt).flatMap(JobTimestamp.parse),
            notBefore: message.firstHeader(Self.notBefore).flatMap(JobHeaders.notBefore(from:))
        )
    }

    /// The headers of the retry message for `next` attempt of `message`'s delivery.
    static func retry(
        of message: KafkaConsumerMessage, attempt: Int, notBefore: Date, firstAttempt: Date, after failure: DeliveryFailure
    ) -> [KafkaHeader] {
        var headers = DeadLetterEnvelope.carriedHeaders(of: message, rewriting: Self.rewritten)
        headers.append(KafkaHeader(key: Self.attempt, string: String(attempt)))
        headers.append(KafkaHeader(key: Self.notBefore, string: JobHeaders.notBeforeValue(notBefore)))
        headers.append(KafkaHeader(key: Self.firstAttempt, string: JobTimestamp.format(firstAttempt)))
        headers.append(KafkaHeader(key: JobHeaders.errorMessage, string: failure.description))
        if let status = failure.status { headers.append(KafkaHeader(key: Self.lastStatus, string: String(status))) }
        return headers
    }

    /// The dead letter of `message`'s delivery on `topic`, given up after `attempt` with `failure`. Its origin is
    /// the results topic's record, also when the last attempt was read from the retry topic.
    static func deadLetter(of message: KafkaConsumerMessage, to topic: String, attempt: Int, failure: DeliveryFailure) -> KafkaProducerMessage {
        var extra = [KafkaHeader(key: Self.attempt, string: String(attempt))]
        if let status = failure.status { extra.append(KafkaHeader(key: Self.lastStatus, string: String(status))) }
        return DeadLetterEnvelope.message(
            for: message, to: topic, errorClass: Self.errorClassValue, reason: failure.description, rewritten: Self.rewritten, extra: extra
        )
    }

    /// The delivery state this module writes anew on each retry or dead letter (reasons too, for the retry).
    private static let rewritten: Set<String> = [
        Self.attempt, Self.notBefore, Self.firstAttempt, Self.lastStatus, JobHeaders.errorClass, JobHeaders.errorMessage,
    ]
}
