import InferenceJobs
import KinferApp

/// How `kinfer dlq list` prints a dead letter: one line for people, or a JSON line.
enum DeadLetterText {
    /// `2025-… poison inference-jobs[3]@17 job=<id>: <message>`.
    static func line(_ letter: DeadLetter) -> String {
        let origin = "\(letter.originalTopic ?? "?")[\(letter.originalPartition ?? "?")]@\(letter.originalOffset ?? "?")"
        return "\(letter.time.map(JobTimestamp.format) ?? "-") \(letter.errorClass ?? "-") \(origin) job=\(letter.jobID ?? "-"): \(letter.errorMessage ?? "")"
    }

    static func json(_ letter: DeadLetter) -> String {
        JSONText.object([
            ("time", JSONText.optional(letter.time.map(JobTimestamp.format))), ("error_class", JSONText.optional(letter.errorClass)),
            ("error_message", JSONText.optional(letter.errorMessage)), ("original_topic", JSONText.optional(letter.originalTopic)),
            ("original_partition", letter.originalPartition.flatMap(Int.init).map(String.init) ?? "null"),
            ("original_offset", letter.originalOffset.flatMap(Int.init).map(String.init) ?? "null"),
            ("job_id", JSONText.optional(letter.jobID)), ("dlq_partition", "\(letter.message.partition)"), ("dlq_offset", "\(letter.message.offset)"),
        ])
    }
}
