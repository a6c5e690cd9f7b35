import InferenceJobs
import ResultStore

/// How the sink gets one batch of results into the store: a machine that does no I/O. The sink performs each
/// ``Action`` and reports what came of it; the machine answers with the next action.
///
/// The batch is written in one transaction. A retryable failure (the database unreachable, a timeout, a deadlock)
/// writes the same results again after a backoff with jitter, for as long as it takes: nothing is known to be wrong
/// with them, and the first-result-wins rule makes a repeat safe. A non-retryable failure (a constraint a result
/// breaks, a missing permission) would fail every attempt and stall the partitions for good, so the machine splits
/// the failing results in halves and writes each, as the worker bisects a failing model batch, down to single
/// results; a single result whose write still fails non-retryably is dead-lettered with the store's reason. Halves
/// go in consumption order, so a job's first result still wins. Once every result is written or dead-lettered, the
/// batch's offsets may be stored.
///
/// `k` refused results among `n` cost at most about `2k·log2(n)` transactions more than one.
struct BatchWrite: Sendable {
    enum Action: Sendable, Equatable {
        /// Write `results[range]` in one transaction.
        case write(Range<Int>)
        /// Wait `after`, then write `results[range]` again in one transaction.
        case retry(Range<Int>, after: Duration)
        /// Send `results[index]` to the results dead-letter topic with `reason`: the store refuses it.
        case deadLetter(Int, reason: String)
        /// Every result is written or dead-lettered: store the batch's offsets.
        case storeOffsets
    }

    private enum State: Sendable {
        case idle
        case writing(Range<Int>)
        case deadLettering(Int)
        case finished
    }

    private var state = State.idle
    /// What is still to write after the current range, the next one last.
    private var waiting: [Range<Int>]
    /// Retryable failures in a row, since the store last answered.
    private var retryableFailures = 0
    private let backoff: RetryBackoff

    /// - Parameters:
    ///   - count: How many results the batch has; may be `0`.
    ///   - backoff: The pause between attempts while failures are retryable.
    init(count: Int, backoff: RetryBackoff) {
        waiting = count > 0 ? [0..<count] : []
        self.backoff = backoff
    }

    /// The first action: the whole batch, or ``Action/storeOffsets`` for an empty one.
    mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("Invalid state: \(state)") }
        return next()
    }

    /// The current write committed.
    mutating func writeSucceeded() -> Action {
        guard case .writing = state else { preconditionFailure("Invalid state: \(state)") }
        retryableFailures = 0
        return next()
    }

    /// The current write failed.
    ///
    /// - Parameters:
    ///   - retryable: Whether the same write may succeed later (``ResultStoreError/isRetryable``).
    ///   - reason: Why, for the dead letter's `kinfer-error-message`.
    ///   - jitter: In `0...1`, where the pause falls between half and all of the backoff; random unless a test fixes it.
    mutating func writeFailed(retryable: Bool, reason: String, jitter: Double = .random(in: 0...1)) -> Action {
        guard case .writing(let range) = state else { preconditionFailure("Invalid state: \(state)") }
        if retryable {
            retryableFailures += 1
            return .retry(range, after: backoff.delay(afterAttempt: retryableFailures, jitter: jitter))
        }
        retryableFailures = 0
        guard range.count > 1 else {
            state = .deadLettering(range.lowerBound)
            return .deadLetter(range.lowerBound, reason: reason)
        }
        let middle = range.lowerBound + range.count / 2
        waiting.append(middle..<range.upperBound)
        state = .writing(range.lowerBound..<middle)
        return .write(range.lowerBound..<middle)
    }

    /// The broker acknowledged the dead letter.
    mutating func deadLettered() -> Action {
        guard case .deadLettering = state else { preconditionFailure("Invalid state: \(state)") }
        return next()
    }

    private mutating func next() -> Action {
        guard let range = waiting.popLast() else {
            state = .finished
            return .storeOffsets
        }
        state = .writing(range)
        return .write(range)
    }
}
