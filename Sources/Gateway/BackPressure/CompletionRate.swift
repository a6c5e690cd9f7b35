import Synchronization

/// Results seen per second over the last ``window`` seconds: the drain rate of the estimate.
///
/// Counts into one-second buckets (a `Mutex`, since the follower counts every record it reads); the rate is the
/// count of the full seconds in the window divided by their number (fewer, until a window has passed), so a second still in progress does not pull
/// it down. Unknown (`nil`) until a result has been seen in the window: with the workers stopped there is no
/// rate, and no estimate.
final class CompletionRate: Sendable {
    private struct State {
        var buckets: [Int64: Int] = [:]
        /// The first second anything was counted: until a whole window has passed, the rate is over fewer seconds.
        var first: Int64?
    }

    let window: Int
    private let state = Mutex(State())
    private let clock: @Sendable () -> Int64

    /// - Parameter now: The current second (injectable for tests); defaults to the continuous clock.
    init(window: Int = 10, now: (@Sendable () -> Int64)? = nil) {
        self.window = max(1, window)
        let start = ContinuousClock.now
        self.clock = now ?? { (ContinuousClock.now - start).components.seconds }
    }

    /// Counts `count` results seen now.
    func record(_ count: Int = 1) {
        guard count > 0 else { return }
        let second = self.clock()
        let window = Int64(self.window)
        self.state.withLock { state in
            state.buckets[second, default: 0] += count
            if state.first == nil { state.first = second }
            if state.buckets.count > self.window + 2 {
                state.buckets = state.buckets.filter { $0.key > second - window - 1 }
            }
        }
    }

    /// Results per second over the last full seconds of the window, or `nil` when none was seen in it.
    var perSecond: Double? {
        let second = self.clock()
        let window = Int64(self.window)
        let (total, first) = self.state.withLock { state in
            (state.buckets.reduce(0) { $0 + (($1.key >= second - window && $1.key < second) ? $1.value : 0) }, state.first)
        }
        guard total > 0, let first else { return nil }
        return Double(total) / Double(min(window, max(1, second - first)))
    }
}
