/// The consumer's two stages of back-pressure as a decision on the buffer's fill and the time, so that each step is
/// tested without a cluster; the poll thread carries the actions out.
///
/// A full buffer (at the high watermark) starts a hold: the poll thread stops taking messages and librdkafka keeps
/// them. A hold that lasts `pauseDelay` becomes a pause of the partitions. A paused consumer resumes once the reader
/// drains the buffer to the low watermark; a hold ends as soon as the buffer is below the high watermark.
struct FetchBackPressure {
    enum Action: Equatable {
        /// Nothing changes.
        case none
        /// Pause the partitions being fetched.
        case pause
        /// Resume the partitions this paused.
        case resume
    }

    let pauseDelay: Duration
    let lowWatermark: Int
    let highWatermark: Int
    /// The partitions are paused by back-pressure.
    private(set) var isPaused = false
    /// When the current hold began; `nil` when not holding.
    private(set) var holdingSince: ContinuousClock.Instant?

    /// What to do with `buffered` messages waiting for the reader at `now`, which is read only while the buffer is full:
    /// the poll thread asks on every turn.
    mutating func next(buffered: Int, now: @autoclosure () -> ContinuousClock.Instant) -> Action {
        if isPaused {
            guard buffered <= lowWatermark else { return .none }
            isPaused = false
            return .resume
        }
        guard buffered >= highWatermark else {
            holdingSince = nil
            return .none
        }
        let now = now()
        let since = holdingSince ?? now
        guard now - since >= pauseDelay else {
            holdingSince = since
            return .none
        }
        holdingSince = nil
        isPaused = true
        return .pause
    }

    /// Whether partitions assigned now, with `buffered` messages waiting, are paused at once: only if the reader is
    /// still behind, since a resume costs librdkafka 2.0.2 up to a second before it fetches again.
    func pausesNewPartitions(buffered: Int) -> Bool {
        isPaused && buffered > lowWatermark
    }
}
