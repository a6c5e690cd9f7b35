/// When a waiting event stream next wakes, and what for: to read the store again (after 250 ms, then twice as long
/// each time, up to 4 s), or to send a heartbeat (every `heartbeat`).
///
/// The store is read again because a result can pass the follower just before the stream's ticket is registered,
/// while the sink has not yet stored it: the first reads come soon after the sink's usual delay, and the interval
/// grows so that a long-pending job costs a read every few seconds, not a stream of them.
struct StoreRecheck: Sendable {
    enum Reason: Sendable, Equatable {
        case readStore
        case sendHeartbeat
    }

    static let firstInterval = Duration.milliseconds(250)
    static let longestInterval = Duration.seconds(4)

    private let heartbeat: Duration
    private var interval = StoreRecheck.firstInterval
    private var nextRead: ContinuousClock.Instant
    private var nextHeartbeat: ContinuousClock.Instant

    init(heartbeat: Duration, now: ContinuousClock.Instant = .now) {
        self.heartbeat = heartbeat
        self.nextRead = now.advanced(by: StoreRecheck.firstInterval)
        self.nextHeartbeat = now.advanced(by: heartbeat)
    }

    /// The earlier of the next store read and the next heartbeat.
    var nextWake: ContinuousClock.Instant { min(nextRead, nextHeartbeat) }

    /// Called when a wait until ``nextWake`` ended without a result: what is due now, and the schedule moved on.
    mutating func woke(now: ContinuousClock.Instant = .now) -> Reason {
        if nextRead <= nextHeartbeat {
            interval = min(interval * 2, StoreRecheck.longestInterval)
            nextRead = now.advanced(by: interval)
            return .readStore
        }
        nextHeartbeat = now.advanced(by: heartbeat)
        return .sendHeartbeat
    }
}
