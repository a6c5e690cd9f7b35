import Foundation
import Kafka

/// One sample of the demo's progress while the jobs run, for the command's live line.
public struct DemoProgress: Sendable {
    /// Jobs the gateway accepted so far, of `total`.
    public var submitted: Int
    public var total: Int
    /// Jobs with a row.
    public var completed: Int
    /// The worker group's lag on the jobs topic, `nil` when the admin could not say in time.
    public var lag: Int64?
    /// Rows per second since the previous sample.
    public var jobsPerSecond: Double
    public var crashes: Int
    /// Whether workers are crashed on purpose (`--crash-workers`), so that the line shows the count.
    public var crashing: Bool

    /// Total lag of `group` on `topic`, or `nil` when the admin cannot say in time.
    static func lag(_ admin: KafkaAdmin, group: String, topic: String) async -> Int64? {
        guard let lags = try? await admin.consumerLag(group: group, topics: [topic], timeout: .seconds(2)) else { return nil }
        return lags.reduce(0) { $0 + $1.lag }
    }
}

/// Where the demo's run reports: announcements as it goes, and progress every ``progressInterval`` while the jobs
/// run. The command prints them (or, for `--json`, does not).
public struct DemoReporter: Sendable {
    /// One announcement line, `kinfer demo: ...`.
    public var say: @Sendable (String) -> Void
    public var progressInterval: Duration
    public var progress: @Sendable (DemoProgress) -> Void
    /// No more progress: every row is there, or the run is stopping.
    public var progressEnded: @Sendable () -> Void

    public init(
        say: @escaping @Sendable (String) -> Void, progressInterval: Duration,
        progress: @escaping @Sendable (DemoProgress) -> Void, progressEnded: @escaping @Sendable () -> Void
    ) {
        self.say = say
        self.progressInterval = progressInterval
        self.progress = progress
        self.progressEnded = progressEnded
    }
}

/// Completions per second between two samples.
struct DemoRate {
    private var last: (time: ContinuousClock.Instant, completed: Int)?

    mutating func update(completed: Int) -> Double {
        let now = ContinuousClock.now
        var rate = 0.0
        if let last {
            let seconds = Double((now - last.time).components.attoseconds) / 1e18 + Double((now - last.time).components.seconds)
            if seconds > 0 { rate = Double(completed - last.completed) / seconds }
        }
        last = (now, completed)
        return rate
    }
}
