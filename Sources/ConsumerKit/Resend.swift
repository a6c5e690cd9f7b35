import InferenceJobs

/// When a consumer service produces a message again after its delivery failed for a passing reason (a broker down,
/// a timeout): the worker's results, retries and dead letters, the sink's dead letters, the notifier's retries and
/// dead letters. The message's offset waits meanwhile, so the first pause is short; it doubles with each failure of
/// the same message up to a few seconds, with jitter, so that what one outage failed together does not return
/// together.
public enum Resend {
    /// From 100 ms to 5 s.
    private static let backoff = RetryBackoff(base: .milliseconds(100), maximum: .seconds(5))

    /// The pause after `failures` failed deliveries of one message.
    public static func delay(afterFailures failures: Int) -> Duration {
        backoff.delay(afterAttempt: failures)
    }
}
