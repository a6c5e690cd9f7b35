import Foundation
import InferenceJobs
import Kafka
import Notifier

/// A message of the dead-letter topic with the reason and origin the worker put in its headers. Public for
/// `kinfer dlq list`, which prints them.
public struct DeadLetter: Sendable {
    public var message: KafkaConsumerMessage

    public init(message: KafkaConsumerMessage) {
        self.message = message
    }

    public var errorClass: String? { message.headers.first(JobHeaders.errorClass) }
    public var errorMessage: String? { message.headers.first(JobHeaders.errorMessage) }
    public var originalTopic: String? { message.headers.first(JobHeaders.originalTopic) }
    public var originalPartition: String? { message.headers.first(JobHeaders.originalPartition) }
    public var originalOffset: String? { message.headers.first(JobHeaders.originalOffset) }
    /// When the dead letter was written: the Kafka message timestamp.
    public var time: Date? { message.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
    public var jobID: String? { message.keyString }

    /// The headers that describe the dead letter itself, removed on replay.
    static let deadLetterHeaders: Set<String> = [
        JobHeaders.errorClass, JobHeaders.errorMessage, JobHeaders.originalTopic, JobHeaders.originalPartition,
        JobHeaders.originalOffset, JobHeaders.notBefore, JobHeaders.attempt, JobHeaders.replayedAt,
        CallbackHeaders.firstAttempt, CallbackHeaders.lastStatus,
    ]

    /// The job again, for the jobs topic: attempt 1 in the header and, when the value decodes as a job, in the body
    /// (unknown fields kept); the value unchanged otherwise. Dead-letter headers are dropped and the replay recorded.
    /// A callback's dead letter (`isCallback`) goes back unchanged, as a first attempt with a new schedule.
    func replay(onto topic: String, at now: Date, isCallback: Bool = false) -> KafkaProducerMessage {
        var value = message.value
        let fallback = time ?? now
        if !isCallback, var job = try? JobCodec.decodeJob(message.value, fallbackSubmittedAt: fallback) {
            job.attempt = 1
            value = JobCodec.encode(job)
        }
        var headers = message.headers.filter { !Self.deadLetterHeaders.contains($0.key) }
        headers.append(KafkaHeader(key: JobHeaders.attempt, string: "1"))
        headers.append(KafkaHeader(key: JobHeaders.replayedAt, string: JobTimestamp.format(now)))
        return KafkaProducerMessage(topic: topic, key: message.key, value: value, headers: headers)
    }
}
