import InferenceJobs
import Testing

@Suite("Retry backoff")
struct RetryBackoffTests {
    let backoff = RetryBackoff(base: .milliseconds(200), maximum: .seconds(5))

    @Test("Doubles per attempt, between half and all of the full delay, capped")
    func exponential() {
        #expect(backoff.delay(afterAttempt: 1, jitter: 1) == .milliseconds(200))
        #expect(backoff.delay(afterAttempt: 1, jitter: 0) == .milliseconds(100))
        #expect(backoff.delay(afterAttempt: 3, jitter: 1) == .milliseconds(800))
        #expect(backoff.delay(afterAttempt: 20, jitter: 1) == .seconds(5))
        #expect(backoff.delay(afterAttempt: 20, jitter: 0) == .milliseconds(2500))
    }
}
