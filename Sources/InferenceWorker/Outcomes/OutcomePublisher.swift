import ConsumerKit
import Foundation
import InferenceJobs
import InferenceModels
import Kafka
import Logging

/// Publishes each job's outcome (result, retry, dead letter) and marks the job finished once the
/// broker has acknowledged every message it needed: only then may its offset be committed.
///
/// A message the broker fails to acknowledge is produced again after a pause, until it is
/// acknowledged or the producer closes (then the job stays unfinished and is redelivered after restart).
/// A message the broker refuses for itself (too large) is not: what stands in for it is published instead
/// (`OutgoingMessage`), so that one oversized output cannot stop its partition's commits.
///
/// Failures are reported on the producer's poll thread; they are handed to ``run()`` as ``Redelivery`` values, which
/// does the work in child tasks of its own, so no unstructured task outlives the worker.
final class OutcomePublisher: Sendable {
    /// A message to produce again, after a pause, or to replace with what stands in for it.
    private enum Redelivery: Sendable {
        case again(OutgoingMessage, source: KafkaConsumerMessage, OutcomeAcknowledgement, failures: Int)
        case replace(OutgoingMessage, refusedWith: KafkaError, source: KafkaConsumerMessage, OutcomeAcknowledgement)
    }

    private let producer: KafkaProducer
    private let configuration: WorkerConfiguration
    private let inFlight: InFlightJobs
    private let counters: WorkerCounters
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let backoff: RetryBackoff
    private let redeliveries: AsyncStream<Redelivery>
    private let redeliver: AsyncStream<Redelivery>.Continuation

    init(producer: KafkaProducer, configuration: WorkerConfiguration, inFlight: InFlightJobs, counters: WorkerCounters, metrics: WorkerMetrics, logger: Logger) {
        self.producer = producer
        self.configuration = configuration
        self.inFlight = inFlight
        self.counters = counters
        self.metrics = metrics
        self.logger = logger
        self.backoff = RetryBackoff(base: configuration.retryBaseDelay, maximum: configuration.retryMaxDelay)
        (redeliveries, redeliver) = AsyncStream.makeStream()
    }

    /// Produces failed messages again, or their stand-ins, until ``close()`` (or cancellation); run it beside the
    /// worker for as long as outcomes may be published.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await redelivery in redeliveries {
                group.addTask {
                    switch redelivery {
                    case .again(let outgoing, let source, let acknowledgement, let failures):
                        guard (try? await Task.sleep(for: Resend.delay(afterFailures: failures))) != nil else { return }
                        await self.produce(outgoing, for: source, acknowledgement, failures: failures)
                    case .replace(let outgoing, let error, let source, let acknowledgement):
                        await self.replace(outgoing, refusedWith: error, for: source, acknowledgement)
                    }
                }
            }
        }
    }

    /// Ends ``run()`` once the redeliveries under way are done; later failures leave their jobs unfinished (and
    /// uncommitted: they are redelivered after a restart). Called after the worker's drain.
    func close() {
        redeliver.finish()
    }

    func publish(_ pending: PendingJob, _ outcome: JobOutcome) async {
        let job = pending.job
        let model = pending.model
        let metrics = self.metrics.model(model.name)
        func result(_ status: JobStatus, output: ModelOutput? = nil, error: JobError? = nil, startedAt: Date? = nil) -> JobResult {
            JobResult(
                jobID: job.jobID, status: status, output: output, error: error, attempts: job.attempt,
                model: model.name, modelVersion: model.version, worker: configuration.workerName,
                submittedAt: job.submittedAt, startedAt: startedAt, completedAt: Date(), callbackURL: job.callbackURL
            )
        }
        func record(_ kind: OutcomeRecord.Kind) -> OutcomeRecord {
            OutcomeRecord(kind: kind, submittedAt: job.submittedAt, counters: counters, metrics: metrics)
        }
        let step = OutcomeStep.decide(outcome, attempt: job.attempt, maxAttempts: configuration.maxAttempts, backoff: backoff, now: Date())
        switch (step, outcome) {
        case (.complete, .completed(let output, let startedAt)):
            let completed = result(.completed, output: output, startedAt: startedAt)
            await send(.replaceable(resultMessage(completed, pending.message), result: completed), for: pending.message, recording: record(.completed))
        case (.retry(let attempt, let notBefore), .failed(let failure, let startedAt)):
            let failed = result(.failed, error: JobError(errorClass: .retryable, message: failure.message), startedAt: startedAt)
            let retry = retryMessage(pending, attempt: attempt, notBefore: notBefore, after: failure)
            await send(.replaceable(retry, result: failed), for: pending.message, recording: record(.retried))
        case (.deadLetter(let errorClass, let reason), .failed(_, let startedAt)):
            logger.warning("job failed", metadata: jobMetadata(pending.message, jobID: job.jobID, ["error": "\(reason)"]))
            let deadLetter = deadLetterMessage(pending.message, errorClass: errorClass, reason: reason)
            let failed = result(.failed, error: JobError(errorClass: errorClass, message: reason), startedAt: startedAt)
            await send(
                [.deadLetter(deadLetter), .replaceable(resultMessage(failed, pending.message), result: failed)],
                for: pending.message, recording: record(.deadLetteredAndFailed)
            )
        case (.expire, .expired):
            let expired = result(.expired, error: JobError(errorClass: .expired, message: "the deadline passed before the model ran"))
            await send(.replaceable(resultMessage(expired, pending.message), result: expired), for: pending.message, recording: record(.expired))
        default:
            preconditionFailure("OutcomeStep.decide gave \(step) for \(outcome)")
        }
    }

    /// Dead-letters a message that cannot be processed as a job, with a `failed` result too when its job ID is known.
    func publishPoison(_ message: KafkaConsumerMessage, reason: String, jobID: String?, model: String?, submittedAt: Date?, attempt: Int) async {
        logger.warning("poison message", metadata: jobMetadata(message, jobID: jobID, ["reason": "\(reason)"]))
        var messages: [OutgoingMessage] = [.deadLetter(deadLetterMessage(message, errorClass: .poison, reason: reason))]
        if let jobID {
            let result = JobResult(
                jobID: jobID, status: .failed, error: JobError(errorClass: .poison, message: reason), attempts: attempt,
                model: model ?? "unknown", modelVersion: "", worker: configuration.workerName,
                submittedAt: submittedAt ?? Date(), completedAt: Date()
            )
            messages.append(.replaceable(resultMessage(result, message), result: result))
        }
        let record = OutcomeRecord(kind: .poison(withResult: jobID != nil), submittedAt: nil, counters: counters, metrics: metrics.model(model))
        await send(messages, for: message, recording: record)
    }

    // MARK: Messages

    private func resultMessage(_ result: JobResult, _ source: KafkaConsumerMessage) -> KafkaProducerMessage {
        var headers = Self.resultHeaders
        if let traceparent = source.header(named: JobHeaders.traceparent) { headers.append(traceparent) }
        return KafkaProducerMessage(topic: configuration.topics.results, key: result.jobID, value: JobCodec.encode(result), headers: headers)
    }

    /// The headers every result carries, made once rather than per result.
    private static let resultHeaders = [
        KafkaHeader(key: JobHeaders.contentType, string: JobHeaders.contentTypeJSON),
        KafkaHeader(key: JobHeaders.schemaVersion, string: JobHeaders.currentSchemaVersion),
    ]

    private func retryMessage(_ pending: PendingJob, attempt: Int, notBefore: Date, after failure: ModelFailure) -> KafkaProducerMessage {
        var job = pending.job
        job.attempt = attempt
        var headers = DeadLetterEnvelope.carriedHeaders(of: pending.message, rewriting: [JobHeaders.attempt, JobHeaders.notBefore])
        headers.append(KafkaHeader(key: JobHeaders.attempt, string: "\(job.attempt)"))
        headers.append(KafkaHeader(key: JobHeaders.notBefore, string: JobHeaders.notBeforeValue(notBefore)))
        logger.info("job retried", metadata: jobMetadata(pending.message, jobID: job.jobID, ["attempt": "\(job.attempt)", "error": "\(failure.message)"]))
        return KafkaProducerMessage(topic: configuration.topics.retry, key: job.jobID, value: JobCodec.encode(job), headers: headers)
    }

    /// The original message, unchanged, with the reason and its origin in headers (``DeadLetterEnvelope``).
    private func deadLetterMessage(_ source: KafkaConsumerMessage, errorClass: JobErrorClass, reason: String) -> KafkaProducerMessage {
        DeadLetterEnvelope.message(for: source, to: configuration.topics.deadLetter, errorClass: errorClass.rawValue, reason: reason)
    }

    // MARK: Delivery

    /// Produces `messages`; when the broker has acknowledged all of them (or what replaced them), records the outcome
    /// and finishes the job.
    private func send(_ messages: [OutgoingMessage], for source: KafkaConsumerMessage, recording outcome: OutcomeRecord) async {
        let acknowledgement = OutcomeAcknowledgement(messages: messages.count, source: source, inFlight: inFlight, outcome: outcome)
        for message in messages {
            await produce(message, for: source, acknowledgement)
        }
    }

    /// `send` of the one message most outcomes need, without an array for it.
    private func send(_ message: OutgoingMessage, for source: KafkaConsumerMessage, recording outcome: OutcomeRecord) async {
        await produce(message, for: source, OutcomeAcknowledgement(messages: 1, source: source, inFlight: inFlight, outcome: outcome))
    }

    /// Produces `outgoing` until the broker acknowledges it: a failed delivery, or a produce call librdkafka refuses
    /// (other than a full queue, which waits), is tried again after a pause, unless the message itself was refused
    /// (then what stands in for it is produced instead). Only a closed producer ends the attempts: the job then stays
    /// unfinished, uncommitted, and is redelivered.
    ///
    /// - Parameter failures: How many deliveries of `outgoing` failed before this one (the pause before the next
    ///   grows with them, ``Resend``).
    private func produce(
        _ outgoing: OutgoingMessage, for source: KafkaConsumerMessage, _ acknowledgement: OutcomeAcknowledgement, failures: Int = 0
    ) async {
        do {
            try await producer.enqueue(outgoing.message) { [self] outcome in
                switch outcome {
                case .success: acknowledgement.acknowledgeOne()
                case .failure(let error): notDelivered(outgoing, error, for: source, acknowledgement, failures: failures + 1)
                }
            }
        } catch where error.code == .closed {
            logger.error("cannot publish to \(outgoing.message.topic): \(error); the job will be redelivered")
        } catch {
            notDelivered(outgoing, error, for: source, acknowledgement, failures: failures + 1)
        }
    }

    /// Replaces a message the broker refused for itself; produces any other failure again after a pause.
    private func notDelivered(
        _ outgoing: OutgoingMessage, _ error: KafkaError, for source: KafkaConsumerMessage, _ acknowledgement: OutcomeAcknowledgement,
        failures: Int
    ) {
        if error.isMessageRejected {
            redeliver.yield(.replace(outgoing, refusedWith: error, source: source, acknowledgement))
            return
        }
        logger.warning("publishing to \(outgoing.message.topic) failed; producing it again", metadata: ["error": "\(error)"])
        counters.recordRepublish()
        redeliver.yield(.again(outgoing, source: source, acknowledgement, failures: failures))
    }

    /// Produces what stands in for a message the broker refused for itself (see `OutgoingMessage`).
    private func replace(_ outgoing: OutgoingMessage, refusedWith error: KafkaError, for source: KafkaConsumerMessage, _ acknowledgement: OutcomeAcknowledgement) async {
        let message = outgoing.message
        let size = (message.value?.count ?? 0) + (message.key?.count ?? 0)
        let reason = "the broker refused the \(message.topic) message of \(size) bytes: \(error.message)"
        let standIns: [OutgoingMessage]
        switch outgoing {
        case .replaceable(_, let result):
            // A refused `failed` result already had its dead letter; a refused completion, expiry or retry has not.
            let failedResult = message.topic == configuration.topics.results && result.status == .failed
            var failed = result
            failed.status = .failed
            failed.output = nil
            failed.error = JobError(errorClass: failedResult ? result.error?.errorClass ?? .fatal : .fatal, message: reason)
            failed.completedAt = Date()
            if failedResult {
                standIns = [.lastResort(resultMessage(failed, source))]
            } else {
                standIns = [.deadLetter(deadLetterMessage(source, errorClass: .fatal, reason: reason)), .lastResort(resultMessage(failed, source))]
                acknowledgement.markReplaced()
            }
        case .deadLetter(var letter):
            letter.value = nil
            letter.headers.append(KafkaHeader(key: JobHeaders.valueOmitted, string: reason))
            standIns = [.lastResort(letter)]
        case .lastResort:
            standIns = []
        }
        logger.error(
            standIns.isEmpty ? "giving up a message the broker refused" : "the broker refused a message; publishing what stands in for it",
            metadata: jobMetadata(source, jobID: outgoing.jobID, ["error": "\(reason)"])
        )
        if standIns.isEmpty {
            counters.recordUnpublishable()
            metrics.consumer.messagesGivenUp.increment()
        }
        acknowledgement.expect(standIns.count)
        acknowledgement.acknowledgeOne()  // the refused message: done with, replaced or given up
        for standIn in standIns {
            await produce(standIn, for: source, acknowledgement)
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
