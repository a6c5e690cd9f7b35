import Foundation
import InferenceJobs
import InferenceModels
@testable import InferenceWorker
import Testing

/// The worker's retry policy as a pure decision: no broker, the clock and the jitter given.
@Suite struct OutcomeStepTests {
    let backoff = RetryBackoff(base: .seconds(1), maximum: .seconds(30))
    let now = Date(timeIntervalSince1970: 1_764_672_000)
    let started = Date(timeIntervalSince1970: 1_764_671_999)

    func decide(_ outcome: JobOutcome, attempt: Int, maxAttempts: Int = 3, jitter: Double = 1) -> OutcomeStep {
        OutcomeStep.decide(outcome, attempt: attempt, maxAttempts: maxAttempts, backoff: backoff, now: now, jitter: jitter)
    }

    @Test func answersAndExpiriesAreResults() {
        #expect(decide(.completed(ModelOutput(label: "7", confidence: 0.9, scores: []), startedAt: started), attempt: 1) == .complete)
        #expect(decide(.expired, attempt: 3) == .expire)
    }

    @Test func aRetryableFailureIsRetriedLaterWhileAttemptsRemain() {
        let timeout = JobOutcome.failed(ModelFailure(.retryable, "timed out"), startedAt: started)
        #expect(decide(timeout, attempt: 1) == .retry(attempt: 2, notBefore: now.addingTimeInterval(1)))
        #expect(decide(timeout, attempt: 2) == .retry(attempt: 3, notBefore: now.addingTimeInterval(2)))
        #expect(decide(timeout, attempt: 2, jitter: 0) == .retry(attempt: 3, notBefore: now.addingTimeInterval(1)), "jitter takes up to half")
    }

    @Test func theLastAttemptsFailureIsDeadLetteredWithTheCount() {
        let timeout = JobOutcome.failed(ModelFailure(.retryable, "timed out"), startedAt: started)
        #expect(decide(timeout, attempt: 3) == .deadLetter(.retryable, reason: "timed out (after 3 attempts)"))
        #expect(decide(timeout, attempt: 1, maxAttempts: 1) == .deadLetter(.retryable, reason: "timed out (after 1 attempts)"))
    }

    @Test func aFatalFailureIsDeadLetteredAtOnce() {
        let bad = JobOutcome.failed(ModelFailure(.fatal, "input has NaN"), startedAt: started)
        #expect(decide(bad, attempt: 1) == .deadLetter(.fatal, reason: "input has NaN"))
    }
}
