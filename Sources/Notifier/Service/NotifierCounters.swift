import Synchronization

/// Running totals of one notifier, readable at any time (tests, the demo).
public final class NotifierCounters: Sendable {
    private let deliveredCount = Atomic<Int>(0)
    private let retriedCount = Atomic<Int>(0)
    private let givenUpCount = Atomic<Int>(0)
    private let refusedCount = Atomic<Int>(0)
    private let withoutCallbackCount = Atomic<Int>(0)
    private let unreadableCount = Atomic<Int>(0)
    private let waitingCount = Atomic<Int>(0)

    public init() {}

    /// Attempts the receiver answered with 2xx.
    public var delivered: Int { deliveredCount.load(ordering: .relaxed) }
    /// Failed attempts sent to the retry topic.
    public var retried: Int { retriedCount.load(ordering: .relaxed) }
    /// Deliveries dead-lettered after a 410 or the last attempt.
    public var givenUp: Int { givenUpCount.load(ordering: .relaxed) }
    /// Deliveries dead-lettered because the guard refused their URL.
    public var refused: Int { refusedCount.load(ordering: .relaxed) }
    /// Results without a `callback_url`: nothing to do.
    public var withoutCallback: Int { withoutCallbackCount.load(ordering: .relaxed) }
    /// Messages that are not results (the sink dead-letters those): skipped.
    public var unreadable: Int { unreadableCount.load(ordering: .relaxed) }
    /// Retries read and waiting for their time now.
    public var retriesWaiting: Int { waitingCount.load(ordering: .relaxed) }

    func record(_ outcome: NotifierMetrics.Outcome) {
        switch outcome {
        case .delivered: deliveredCount.add(1, ordering: .relaxed)
        case .retried: retriedCount.add(1, ordering: .relaxed)
        case .givenUp: givenUpCount.add(1, ordering: .relaxed)
        case .refused: refusedCount.add(1, ordering: .relaxed)
        }
    }
    func recordWithoutCallback() { withoutCallbackCount.add(1, ordering: .relaxed) }
    func recordUnreadable() { unreadableCount.add(1, ordering: .relaxed) }
    /// Returns the new number waiting.
    func recordWaiting(_ change: Int) -> Int { waitingCount.add(change, ordering: .relaxed).newValue }
}
