import Foundation

/// When a failed delivery is tried again: Standard Webhooks' schedule (first attempt at once, then after 5 s,
/// 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, ...) with jitter, until the delivery is older than ``maximumAge``.
///
/// A pure function of the attempt number and the clock; the notifier turns its answer into a not-before header on
/// the callbacks retry topic, or into a dead letter when it answers `nil`.
public struct CallbackRetrySchedule: Sendable, Hashable {
    /// The wait after failed attempt 1, 2, ...; the last one repeats. Defaults to Standard Webhooks' schedule.
    public var delays: [Duration]
    /// How long after the first attempt a delivery may still be tried. Defaults to 32 hours: the eight attempts of
    /// the Standard Webhooks schedule (the last at about 27.6 h) fit even with the largest jitter, a ninth does not.
    public var maximumAge: Duration
    /// How far jitter moves a delay either way, as a fraction. Defaults to `0.1` (±10 %), so that deliveries that
    /// failed together (one receiver down) do not all return in the same second.
    public var jitter: Double

    public static let standardWebhooksDelays: [Duration] = [
        .seconds(5), .seconds(5 * 60), .seconds(30 * 60), .seconds(2 * 3600), .seconds(5 * 3600), .seconds(10 * 3600),
    ]

    public init(
        delays: [Duration] = Self.standardWebhooksDelays, maximumAge: Duration = .seconds(32 * 3600), jitter: Double = 0.1
    ) {
        precondition(!delays.isEmpty, "a retry schedule needs at least one delay")
        self.delays = delays
        self.maximumAge = maximumAge
        self.jitter = jitter
    }

    /// The wait after `failedAttempt` (1 for the first attempt); `random` in `0...1` picks the jitter, `0.5` none.
    public func delay(afterAttempt failedAttempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let full = self.delays[min(max(failedAttempt, 1), self.delays.count) - 1]
        return full * (1 + self.jitter * (2 * min(max(random, 0), 1) - 1))
    }

    /// When to try again after `failedAttempt`, or `nil` to give up: the schedule's delay, or the receiver's
    /// `Retry-After` when that is longer, unless the attempt would fall after `firstAttempt + maximumAge`.
    public func nextAttempt(
        afterAttempt failedAttempt: Int, firstAttempt: Date, now: Date, retryAfter: Duration? = nil,
        random: Double = Double.random(in: 0...1)
    ) -> Date? {
        let wait = max(self.delay(afterAttempt: failedAttempt, random: random), retryAfter ?? .zero)
        let next = now.addingTimeInterval(Self.seconds(wait))
        guard next.timeIntervalSince(firstAttempt) <= Self.seconds(self.maximumAge) else { return nil }
        return next
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
