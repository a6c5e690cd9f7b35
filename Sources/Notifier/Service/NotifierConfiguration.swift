import CallbackSafety
import InferenceJobs

/// How a notifier delivers: which topics, which URLs, how many at once, and when to try again.
public struct NotifierConfiguration: Sendable {
    /// The results topic it reads, and its own retry and dead-letter topics (`callbacksRetry`, `callbacksDeadLetter`).
    public var topics: JobTopics
    /// Which callback URLs may be called. Defaults to https on the default port to public addresses only.
    public var guardrail: CallbackGuard
    /// When a failed delivery is tried again, and when it is given up. Defaults to Standard Webhooks' schedule.
    public var retrySchedule: CallbackRetrySchedule
    /// Deliveries posting at once in this instance. Defaults to `64`.
    public var maxConcurrency: Int
    /// Deliveries posting at once to one host. Defaults to `8`.
    public var maxPerHost: Int
    /// Results read and not yet finished (posting, or waiting for a permit); reading pauses beyond it. Retries
    /// waiting for their time do not count: they hold no connection. Defaults to `1000`.
    public var maxInFlight: Int
    /// How often finished offsets are committed. Defaults to 500 ms.
    public var commitInterval: Duration
    /// How long shutdown lets running attempts finish before cancelling them (they are then redelivered).
    /// Defaults to 20 seconds.
    public var gracePeriod: Duration

    public init(
        topics: JobTopics = JobTopics(),
        guardrail: CallbackGuard = CallbackGuard(),
        retrySchedule: CallbackRetrySchedule = CallbackRetrySchedule(),
        maxConcurrency: Int = 64,
        maxPerHost: Int = 8,
        maxInFlight: Int = 1000,
        commitInterval: Duration = .milliseconds(500),
        gracePeriod: Duration = .seconds(20)
    ) {
        self.topics = topics
        self.guardrail = guardrail
        self.retrySchedule = retrySchedule
        self.maxConcurrency = maxConcurrency
        self.maxPerHost = maxPerHost
        self.maxInFlight = maxInFlight
        self.commitInterval = commitInterval
        self.gracePeriod = gracePeriod
    }
}
