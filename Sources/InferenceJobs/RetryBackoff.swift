/// How long to wait before the next attempt after failures: exponential in the attempt, capped, with jitter so
/// that what failed together does not return together.
///
/// The worker waits so between a job's attempts, the sink between writes of a batch while the database is down.
public struct RetryBackoff: Sendable, Hashable {
    /// The full delay after the first failure.
    public var base: Duration
    /// The longest full delay.
    public var maximum: Duration

    public init(base: Duration, maximum: Duration) {
        self.base = base
        self.maximum = maximum
    }

    /// The delay before attempt `failedAttempt + 1`; `jitter` in `0...1` scales it between half and all of the full delay.
    public func delay(afterAttempt failedAttempt: Int, jitter: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = min(max(failedAttempt - 1, 0), 30)
        let full = min(base * (1 << exponent), maximum)
        return full * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}
