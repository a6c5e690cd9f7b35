import Synchronization

/// Results seen per second over the last ``window`` seconds: the drain rate of the estimate.
///
/// Counts into one-second buckets (a `Mutex`, since the follower counts every record it reads); the rate is the
/// count of the full seconds in the window divided by their number (fewer, until a window has passed), so a second
/// still in progress does not pull it down. The first second anything was counted is partial too (results started
/// somewhere in it), so once a whole second follows it, it is left out: counted, it makes the rate of a pipeline
/// that just started look a fraction of what it is, and the estimated wait a multiple. Unknown (`nil`) until a
/// result has been seen in the window: with the workers stopped there is no rate, and no estimate.
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
        let (total, seconds) = self.state.withLock { state -> (Int, Int64) in
            guard let first = state.first else { return (0, 1) }
            // From the second after the first, when that one is whole already.
            let from = max(second - window, second - first >= 2 ? first + 1 : first)
            let total = state.buckets.reduce(0) { $0 + (($1.key >= from && $1.key < second) ? $1.value : 0) }
            return (total, max(1, second - from))
        }
        guard total > 0 else { return nil }
        return Double(total) / Double(seconds)
    }
}
