/// How long a job waits before its next attempt: exponential in the attempt, capped, with jitter
/// so that jobs failed together do not return together.
struct RetryBackoff: Sendable {
    var base: Duration
    var maximum: Duration

    /// The delay before attempt `failedAttempt + 1`; `jitter` in `0...1` scales it between half and all of the full delay.
    func delay(afterAttempt failedAttempt: Int, jitter: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = min(max(failedAttempt - 1, 0), 30)
        let full = min(base * (1 << exponent), maximum)
        return full * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}
