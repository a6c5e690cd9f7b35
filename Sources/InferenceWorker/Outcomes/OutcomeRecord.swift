import Foundation

/// What a job's outcome adds to the worker's counters and metrics once the broker has acknowledged it.
///
/// A value rather than a closure: it is made for every job, and a closure's captures cost an allocation each time.
struct OutcomeRecord: Sendable {
    enum Kind: Sendable {
        case completed, expired, retried
        /// A fatal failure, or a retryable one out of attempts: a dead letter and a `failed` result.
        case deadLetteredAndFailed
        /// A message that is not a job: a dead letter, and a `failed` result when its job ID could be read.
        case poison(withResult: Bool)
    }

    let kind: Kind
    /// When the job was submitted, for the job-age histogram; `nil` for poison.
    let submittedAt: Date?
    let counters: WorkerCounters
    let metrics: ModelMetrics

    /// Records the outcome; `replaced` when the broker refused the result or retry, so that the job was
    /// dead-lettered with a `failed` result instead.
    func record(replaced: Bool) {
        switch replaced ? .deadLetteredAndFailed : kind {
        case .completed:
            counters.recordCompleted()
            metrics.recordOutcome(.completed)
        case .expired:
            counters.recordExpired()
            metrics.recordOutcome(.expired)
        case .retried:
            counters.recordRetried()
            metrics.recordOutcome(.retried)
            return  // not terminal: no job age
        case .deadLetteredAndFailed:
            counters.recordDeadLettered()
            counters.recordFailed()
            metrics.recordOutcome(.deadLettered)
            metrics.recordOutcome(.failed)
        case .poison(let withResult):
            counters.recordDeadLettered()
            metrics.recordOutcome(.deadLettered)
            if withResult {
                counters.recordFailed()
                metrics.recordOutcome(.failed)
            }
        }
        if let submittedAt { metrics.recordJobAge(submittedAt: submittedAt) }
    }
}
