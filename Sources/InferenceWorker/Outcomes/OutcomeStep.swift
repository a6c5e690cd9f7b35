import Foundation
import InferenceJobs

/// Which messages a job's outcome becomes: the worker's retry policy as a value, decided with no I/O and the clock
/// given, so that it is tested without a broker. ``OutcomePublisher`` carries the step out.
enum OutcomeStep: Equatable {
    /// A `completed` result.
    case complete
    /// An `expired` result.
    case expire
    /// The job again on the retry topic as `attempt`, not to run before `notBefore`.
    case retry(attempt: Int, notBefore: Date)
    /// A dead letter of the job's message and a `failed` result, both saying `reason`.
    case deadLetter(JobErrorClass, reason: String)

    /// The step for `outcome` of the job's `attempt`: a retryable failure is retried after `backoff` while attempts
    /// remain; a fatal one, or the last attempt's, is dead-lettered.
    ///
    /// - Parameter jitter: In `0...1`, where the retry's delay falls between half and all of the backoff.
    static func decide(
        _ outcome: JobOutcome, attempt: Int, maxAttempts: Int, backoff: RetryBackoff, now: Date,
        jitter: Double = .random(in: 0...1)
    ) -> OutcomeStep {
        switch outcome {
        case .completed:
            return .complete
        case .expired:
            return .expire
        case .failed(let failure, _) where failure.failureClass == .retryable && attempt < maxAttempts:
            let delay = backoff.delay(afterAttempt: attempt, jitter: jitter)
            return .retry(attempt: attempt + 1, notBefore: now.addingTimeInterval(delay.timeInterval))
        case .failed(let failure, _):
            let exhausted = failure.failureClass == .retryable
            return .deadLetter(
                JobErrorClass(failure.failureClass), reason: exhausted ? "\(failure.message) (after \(attempt) attempts)" : failure.message
            )
        }
    }
}
