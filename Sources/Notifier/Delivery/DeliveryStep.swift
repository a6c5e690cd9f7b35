import Foundation

/// What the notifier does after an attempt: the decision as a value, so that the rules are tested without Kafka or
/// sockets (the service carries it out: nothing, a message on the retry topic, or one on the dead-letter topic).
public enum DeliveryStep: Sendable, Hashable {
    /// The receiver took it (2xx, `status`).
    case delivered(status: Int)
    /// Send it to the retry topic for attempt `attempt`, not before `notBefore`.
    case retry(attempt: Int, notBefore: Date, after: DeliveryFailure)
    /// Send it to the dead-letter topic: the receiver said 410, the guard refused the URL, or the schedule ran out.
    case giveUp(DeliveryFailure, exhausted: Bool)

    /// The step after attempt `attempt` (1 for the first) ended in `outcome`, for a delivery first tried at
    /// `firstAttempt`; `random` in `0...1` picks the schedule's jitter.
    public static func after(
        _ outcome: DeliveryOutcome, attempt: Int, firstAttempt: Date, now: Date, schedule: CallbackRetrySchedule,
        random: Double = Double.random(in: 0...1)
    ) -> DeliveryStep {
        switch outcome {
        case .delivered(let status):
            return .delivered(status: status)
        case .giveUp(let failure):
            return .giveUp(failure, exhausted: false)
        case .retry(let failure, let retryAfter):
            guard
                let next = schedule.nextAttempt(
                    afterAttempt: attempt, firstAttempt: firstAttempt, now: now, retryAfter: retryAfter, random: random
                )
            else { return .giveUp(failure, exhausted: true) }
            return .retry(attempt: attempt + 1, notBefore: next, after: failure)
        }
    }
}
