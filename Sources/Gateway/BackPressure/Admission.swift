import Foundation

/// Whether a submission is admitted, from the workers' lag and the rate results come back: a pure decision, tested
/// without a broker.
///
/// The estimate is *lag / completion rate*: the jobs ahead of this one divided by how fast the workers finish jobs,
/// as the follower measures it on the results topic. Not depth times a fixed time: the rate follows the model, the
/// batch size and the number of workers, whatever they are.
enum Admission: Sendable, Hashable {
    /// Enqueue it; `estimatedWaitSeconds` is `nil` while lag or rate is unknown.
    case admit(estimatedWaitSeconds: Double?)
    /// `429`: nothing is enqueued. `retryAfterSeconds` is how long the backlog above the limit takes to drain.
    case reject(retryAfterSeconds: Int, reason: String)

    struct Limits: Sendable, Hashable {
        /// `--max-backlog`: the most jobs waiting for a worker; `nil` is no limit.
        var maxBacklog: Int?
        /// `--max-wait-seconds`: the longest estimated wait; `nil` is no limit.
        var maxWaitSeconds: Double?
        /// The `Retry-After` when the rate is unknown (nothing has completed lately: the workers may be stopped).
        var fallbackRetryAfterSeconds: Int = 1
        /// The longest `Retry-After` sent.
        var maxRetryAfterSeconds: Int = 60
    }

    /// - Parameters:
    ///   - lag: The workers' group lag on the jobs topic, or `nil` while it has not been read.
    ///   - completionsPerSecond: Results seen per second lately, or `nil` while unknown.
    static func decide(lag: Int?, completionsPerSecond: Double?, limits: Limits) -> Admission {
        let rate = completionsPerSecond.flatMap { $0 > 0 ? $0 : nil }
        let estimate: Double? = lag.flatMap { lag in rate.map { Double(lag) / $0 } }
        func retryAfter(draining excess: Double) -> Int {
            guard let rate else { return limits.fallbackRetryAfterSeconds }
            return min(limits.maxRetryAfterSeconds, max(1, Int((excess / rate).rounded(.up))))
        }
        if let lag, let maxBacklog = limits.maxBacklog, lag >= maxBacklog {
            return .reject(
                retryAfterSeconds: retryAfter(draining: Double(lag - maxBacklog + 1)),
                reason: "\(lag) jobs are waiting for a worker; the limit is \(maxBacklog)"
            )
        }
        if let estimate, let rate, let maxWait = limits.maxWaitSeconds, estimate > maxWait {
            return .reject(
                retryAfterSeconds: retryAfter(draining: (estimate - maxWait) * rate),
                reason: "the estimated wait is \(Int(estimate.rounded(.up))) s; the limit is \(Int(maxWait)) s"
            )
        }
        return .admit(estimatedWaitSeconds: estimate)
    }
}
