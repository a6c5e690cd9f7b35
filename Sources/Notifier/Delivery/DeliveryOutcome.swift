import Foundation

/// What one delivery attempt means for the job: done, give up, or try again on the schedule.
///
/// A pure classification of the receiver's answer (or its absence), so the rules are tested without a socket:
/// - 2xx: delivered.
/// - 410 Gone: give up at once; the receiver said it wants nothing more for this job.
/// - 3xx: a failed attempt, retried on the schedule; the redirect is never followed (so it cannot lead the
///   notifier to an address the guard never checked). Usually a misconfigured URL, which the DLQ will show.
/// - 429 and 503: retried, not before `Retry-After` when it is given (seconds or an HTTP date).
/// - Any other status, a timeout, a connection failure: retried on the schedule.
/// - A refusal by the guard: given up at once when final (the same URL would be refused again).
public enum DeliveryOutcome: Sendable, Hashable {
    case delivered(status: Int)
    case giveUp(DeliveryFailure)
    /// Try again; `retryAfter` is the receiver's wish, which the schedule honours (it waits at least that long).
    case retry(DeliveryFailure, retryAfter: Duration?)

    /// The outcome of an answer with `status` and the `Retry-After` header's value, if any, read at `now`.
    public static func classify(status: Int, retryAfter: String? = nil, now: Date = Date()) -> DeliveryOutcome {
        switch status {
        case 200...299:
            return .delivered(status: status)
        case 410:
            return .giveUp(DeliveryFailure(.gone, status: status, "the receiver answered 410 Gone"))
        case 300...399:
            return .retry(DeliveryFailure(.redirect, status: status, "redirects are not followed"), retryAfter: nil)
        case 429, 503:
            let wait = retryAfter.flatMap { Self.retryAfterDelay($0, now: now) }
            return .retry(DeliveryFailure(.status, status: status, "the receiver asked to wait"), retryAfter: wait)
        default:
            return .retry(DeliveryFailure(.status, status: status, "the receiver did not accept the delivery"), retryAfter: nil)
        }
    }

    /// The outcome of an attempt that got no answer (timeout, connection) or was refused by the guard.
    public static func classify(_ failure: DeliveryFailure, final: Bool = false) -> DeliveryOutcome {
        final ? .giveUp(failure) : .retry(failure, retryAfter: nil)
    }

    /// `Retry-After` (RFC 9110 section 10.2.3): delay-seconds, or an HTTP date (IMF-fixdate) from which `now` is
    /// subtracted; a date in the past is no wait. `nil` for anything unreadable, which the schedule then ignores.
    static func retryAfterDelay(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard trimmed.count <= 9, let seconds = Int64(trimmed) else { return nil }
            return .seconds(seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .seconds(max(0, Int64(date.timeIntervalSince(now).rounded(.up))))
    }
}
