import Foundation
import InferenceJobs
import InferenceModels
import Kafka
import Logging
import Synchronization

/// Publishes each job's outcome (result, retry, dead letter) and marks the job finished once the
/// broker has acknowledged every message it needed: only then may its offset be committed.
///
/// A message the broker fails to acknowledge is produced again after a pause, until it is
/// acknowledged or the producer closes (then the job stays unfinished and is redelivered after restart).
final class OutcomePublisher: Sendable {
    private let producer: KafkaProducer
    private let configuration: WorkerConfiguration
    private let inFlight: InFlightJobs
    private let counters: WorkerCounters
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let backoff: RetryBackoff

    init(producer: KafkaProducer, configuration: WorkerConfiguration, inFlight: InFlightJobs, counters: WorkerCounters, metrics: WorkerMetrics, logger: Logger) {
        self.producer = producer
        self.configuration = configuration
        self.inFlight = inFlight
        self.counters = counters
        self.metrics = metrics
        self.logger = logger
        self.backoff = RetryBackoff(base: configuration.retryBaseDelay, maximum: configuration.retryMaxDelay)
    }

    func publish(_ pending: PendingJob, _ outcome: JobOutcome) async {
        let job = pending.job
        let model = pending.model
        let metrics = self.metrics.model(model.name)
        func result(_ status: JobStatus, output: ModelOutput? = nil, error: JobError? = nil, startedAt: Date? = nil) -> JobResult {
            JobResult(
                jobID: job.jobID, status: status, output: output, error: error, attempts: job.attempt,
                model: model.name, modelVersion: model.version, worker: configuration.workerName,
                submittedAt: job.submittedAt, startedAt: startedAt, completedAt: Date()
            )
        }
        switch outcome {
        case .completed(let output, let startedAt):
            await send([resultMessage(result(.completed, output: output, startedAt: startedAt), pending.message)], for: pending.message) {
                self.counters.recordCompleted()
                metrics.recordOutcome(.completed)
                metrics.recordJobAge(submittedAt: job.submittedAt)
            }
        case .expired:
            let error = JobError(errorClass: .expired, message: "the deadline passed before the model ran")
            await send([resultMessage(result(.expired, error: error), pending.message)], for: pending.message) {
                self.counters.recordExpired()
                metrics.recordOutcome(.expired)
                metrics.recordJobAge(submittedAt: job.submittedAt)
            }
        case .failed(let failure, _) where failure.failureClass == .retryable && job.attempt < configuration.maxAttempts:
            await send([retryMessage(pending, after: failure)], for: pending.message) {
                self.counters.recordRetried()
                metrics.recordOutcome(.retried)
            }
        case .failed(let failure, let startedAt):
            let exhausted = failure.failureClass == .retryable
            let errorClass = JobErrorClass(failure.failureClass)
            let message = exhausted ? "\(failure.message) (after \(job.attempt) attempts)" : failure.message
            logger.warning("job failed", metadata: jobMetadata(pending.message, jobID: job.jobID, ["error": "\(message)"]))
            let deadLetter = deadLetterMessage(pending.message, errorClass: errorClass, reason: message)
            let failed = resultMessage(result(.failed, error: JobError(errorClass: errorClass, message: message), startedAt: startedAt), pending.message)
            await send([deadLetter, failed], for: pending.message) {
                self.counters.recordDeadLettered()
                self.counters.recordFailed()
                metrics.recordOutcome(.deadLettered)
                metrics.recordOutcome(.failed)
                metrics.recordJobAge(submittedAt: job.submittedAt)
            }
        }
    }

    /// Dead-letters a message that cannot be processed as a job, with a `failed` result too when its job ID is known.
    func publishPoison(_ message: KafkaConsumerMessage, reason: String, jobID: String?, model: String?, submittedAt: Date?, attempt: Int) async {
        logger.warning("poison message", metadata: jobMetadata(message, jobID: jobID, ["reason": "\(reason)"]))
        var messages = [deadLetterMessage(message, errorClass: .poison, reason: reason)]
        if let jobID {
            let result = JobResult(
                jobID: jobID, status: .failed, error: JobError(errorClass: .poison, message: reason), attempts: attempt,
                model: model ?? "unknown", modelVersion: "", worker: configuration.workerName,
                submittedAt: submittedAt ?? Date(), completedAt: Date()
            )
            messages.append(resultMessage(result, message))
        }
        let withResult = jobID != nil
        let metrics = self.metrics.model(model)
        await send(messages, for: message) {
            self.counters.recordDeadLettered()
            metrics.recordOutcome(.deadLettered)
            if withResult {
                self.counters.recordFailed()
                metrics.recordOutcome(.failed)
            }
        }
    }

    // MARK: Messages

    private func resultMessage(_ result: JobResult, _ source: KafkaConsumerMessage) -> KafkaProducerMessage {
        var headers = [
            KafkaHeader(key: JobHeaders.contentType, string: JobHeaders.contentTypeJSON),
            KafkaHeader(key: JobHeaders.schemaVersion, string: JobHeaders.currentSchemaVersion),
        ]
        if let traceparent = source.header(named: JobHeaders.traceparent) { headers.append(traceparent) }
        return KafkaProducerMessage(topic: configuration.topics.results, key: result.jobID, value: JobCodec.encode(result), headers: headers)
    }

    private func retryMessage(_ pending: PendingJob, after failure: ModelFailure) -> KafkaProducerMessage {
        var job = pending.job
        job.attempt += 1
        let notBefore = Date().addingTimeInterval(backoff.delay(afterAttempt: pending.job.attempt).timeInterval)
        var headers = pending.message.headers.filter { $0.key != JobHeaders.attempt && $0.key != JobHeaders.notBefore }
        if headers.first(JobHeaders.originalTopic) == nil { headers += Self.originHeaders(of: pending.message) }
        headers.append(KafkaHeader(key: JobHeaders.attempt, string: "\(job.attempt)"))
        headers.append(KafkaHeader(key: JobHeaders.notBefore, string: JobHeaders.notBeforeValue(notBefore)))
        logger.info("job retried", metadata: jobMetadata(pending.message, jobID: job.jobID, ["attempt": "\(job.attempt)", "error": "\(failure.message)"]))
        return KafkaProducerMessage(topic: configuration.topics.retry, key: job.jobID, value: JobCodec.encode(job), headers: headers)
    }

    /// The original message, unchanged, with the reason and its origin in headers. A retried job keeps
    /// the origin its first retry recorded: where it was first submitted, not the retry topic.
    private func deadLetterMessage(_ source: KafkaConsumerMessage, errorClass: JobErrorClass, reason: String) -> KafkaProducerMessage {
        var headers = source.headers.filter { $0.key != JobHeaders.errorClass && $0.key != JobHeaders.errorMessage }
        if headers.first(JobHeaders.originalTopic) == nil { headers += Self.originHeaders(of: source) }
        headers += [
            KafkaHeader(key: JobHeaders.errorClass, string: errorClass.rawValue),
            KafkaHeader(key: JobHeaders.errorMessage, string: reason),
        ]
        return KafkaProducerMessage(topic: configuration.topics.deadLetter, key: source.key, value: source.value, headers: headers)
    }

    private static func originHeaders(of message: KafkaConsumerMessage) -> [KafkaHeader] {
        [
            KafkaHeader(key: JobHeaders.originalTopic, string: message.topic),
            KafkaHeader(key: JobHeaders.originalPartition, string: "\(message.partition)"),
            KafkaHeader(key: JobHeaders.originalOffset, string: "\(message.offset)"),
        ]
    }

    // MARK: Delivery

    /// Produces `messages`; when the broker has acknowledged all of them, runs `acknowledged` and finishes the job.
    private func send(_ messages: [KafkaProducerMessage], for source: KafkaConsumerMessage, acknowledged: @escaping @Sendable () -> Void) async {
        let remaining = Atomic<Int>(messages.count)
        let partition = source.topicPartition
        let offset = source.offset
        let inFlight = self.inFlight
        let finishOne: @Sendable () -> Void = {
            if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                acknowledged()
                inFlight.finish(partition, offset: offset)
            }
        }
        for message in messages {
            await produce(message, then: finishOne)
        }
    }

    /// Produces `message` until the broker acknowledges it: a failed delivery, or a produce call librdkafka refuses
    /// (other than a full queue, which waits), is tried again after a pause. Only a closed producer ends the
    /// attempts: the job then stays unfinished, uncommitted, and is redelivered.
    private func produce(_ message: KafkaProducerMessage, then finishOne: @escaping @Sendable () -> Void) async {
        let again: @Sendable (KafkaError) -> Void = { [self] error in
            logger.warning("publishing to \(message.topic) failed; producing it again", metadata: ["error": "\(error)"])
            counters.recordRepublish()
            Task {
                try? await Task.sleep(for: .milliseconds(500))
                await self.produce(message, then: finishOne)
            }
        }
        do {
            try await producer.enqueue(message) { outcome in
                switch outcome {
                case .success: finishOne()
                case .failure(let error): again(error)
                }
            }
        } catch where error.code == .closed {
            logger.error("cannot publish to \(message.topic): \(error); the job will be redelivered")
        } catch {
            again(error)
        }
    }
}

/// The fields every job-level log line carries.
func jobMetadata(_ message: KafkaConsumerMessage, jobID: String?, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
    var metadata = extra
    metadata["job_id"] = "\(jobID ?? "-")"
    metadata["topic"] = "\(message.topic)"
    metadata["partition"] = "\(message.partition)"
    metadata["offset"] = "\(message.offset)"
    return metadata
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
