import InferenceJobs
import Kafka

/// Dead letters and retries as every consumer service writes them, so that one `kinfer dlq` reads them all.
///
/// A dead letter is the message as it was read, key and value unchanged, with its headers, less the reasons and
/// delivery state an earlier step wrote, plus where it was first read (`kinfer-original-*`) and why it was given up
/// (`kinfer-error-class`, `kinfer-error-message`). A message already carrying an origin keeps it: a job or callback
/// retried through a retry topic names where it was first read, not the retry topic.
public enum DeadLetterEnvelope {
    /// The dead letter of `source` on `topic`.
    ///
    /// - Parameters:
    ///   - errorClass: The `kinfer-error-class` value (`poison`, `fatal`, `callback`, ...).
    ///   - reason: The `kinfer-error-message` value; the log says the same.
    ///   - rewritten: Further headers of `source` that `extra` writes anew (a retry's attempt, its not-before time).
    ///   - extra: Headers added after the reason.
    public static func message(
        for source: KafkaConsumerMessage, to topic: String, errorClass: String, reason: String,
        rewritten: Set<String> = [], extra: [KafkaHeader] = []
    ) -> KafkaProducerMessage {
        var headers = carriedHeaders(of: source, rewriting: rewritten.union([JobHeaders.errorClass, JobHeaders.errorMessage]))
        headers.append(KafkaHeader(key: JobHeaders.errorClass, string: errorClass))
        headers.append(KafkaHeader(key: JobHeaders.errorMessage, string: reason))
        headers += extra
        return KafkaProducerMessage(topic: topic, key: source.key, value: source.value, headers: headers)
    }

    /// `source`'s headers without `rewritten`, with its origin added when it carries none: what a retry or a dead
    /// letter of it starts from.
    public static func carriedHeaders(of source: KafkaConsumerMessage, rewriting rewritten: Set<String>) -> [KafkaHeader] {
        var headers = source.headers.filter { !rewritten.contains($0.key) }
        if headers.first(JobHeaders.originalTopic) == nil {
            // A partial origin (one or two of the three) is replaced whole, never mixed with this one.
            headers.removeAll { $0.key == JobHeaders.originalPartition || $0.key == JobHeaders.originalOffset }
            headers += [
                KafkaHeader(key: JobHeaders.originalTopic, string: source.topic),
                KafkaHeader(key: JobHeaders.originalPartition, string: "\(source.partition)"),
                KafkaHeader(key: JobHeaders.originalOffset, string: "\(source.offset)"),
            ]
        }
        return headers
    }
}
