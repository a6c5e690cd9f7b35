import Foundation

/// The Kafka header names (and fixed values) of the pipeline's messages. All header values are UTF-8 strings.
///
/// Headers carry what a consumer needs before, or instead of, parsing the value: routing a retry, explaining a dead
/// letter. The job itself stays complete in the value.
public enum JobHeaders {
    /// The value's media type; always `contentTypeJSON` on jobs and results.
    public static let contentType = "content-type"
    /// The only content type the pipeline writes: `application/json`.
    public static let contentTypeJSON = "application/json"

    /// The version of the JSON contract the value follows; always `currentSchemaVersion` when written by kinfer.
    /// A missing header means version 1.
    public static let schemaVersion = "kinfer-schema-version"
    /// The contract version this module reads and writes: `1`.
    public static let currentSchemaVersion = "1"

    /// W3C Trace Context `traceparent`; copied unchanged from a job to its retries, dead letter and result.
    public static let traceparent = "traceparent"

    /// The attempt the message is for, as a decimal integer starting at `1`; set on retries. When it and the body's
    /// `attempt` differ, the header wins, since the worker that scheduled the retry wrote it.
    public static let attempt = "kinfer-attempt"

    /// On the retry topic: the earliest time the job may run again. Written as an RFC 3339 UTC timestamp with
    /// milliseconds (like the body's timestamps, readable in `kcat`); `notBefore(from:)` also accepts a decimal
    /// count of milliseconds since 1970, which other languages' clients find easier to write.
    public static let notBefore = "kinfer-not-before"

    /// On a dead letter: the `JobErrorClass` that sent it there, e.g. `poison`, `retryable` (attempts exhausted).
    public static let errorClass = "kinfer-error-class"
    /// On a dead letter: a human-readable reason, e.g. a `JobDecodingError`'s description.
    public static let errorMessage = "kinfer-error-message"
    /// On a dead letter: the topic the message was taken from.
    public static let originalTopic = "kinfer-original-topic"
    /// On a dead letter: the partition the message was taken from, as a decimal integer.
    public static let originalPartition = "kinfer-original-partition"
    /// On a dead letter: the offset the message was taken from, as a decimal integer.
    public static let originalOffset = "kinfer-original-offset"
    /// On a dead letter sent without the original value because the broker refused it with it (too large): why, and
    /// the value's size. The original is still at the topic, partition and offset the other headers name.
    public static let valueOmitted = "kinfer-value-omitted"
    /// Set by `kinfer dlq replay` on the message it re-submits: when it did so, as an RFC 3339 UTC timestamp.
    public static let replayedAt = "kinfer-replayed-at"

    /// The value to write in a `notBefore` header.
    public static func notBeforeValue(_ date: Date) -> String {
        JobTimestamp.format(date)
    }

    /// Reads a `notBefore` header value: an RFC 3339 timestamp or milliseconds since 1970; `nil` for anything else.
    public static func notBefore(from value: String) -> Date? {
        if let milliseconds = Int64(value) {
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        return JobTimestamp.parse(value)
    }
}
