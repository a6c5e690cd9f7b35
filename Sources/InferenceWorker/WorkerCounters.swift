import Synchronization

/// Running totals of a worker's outcomes, readable at any time (tests, the demo, metrics).
public final class WorkerCounters: Sendable {
    private let completedCount = Atomic<Int>(0)
    private let failedCount = Atomic<Int>(0)
    private let expiredCount = Atomic<Int>(0)
    private let deadLetteredCount = Atomic<Int>(0)
    private let retriedCount = Atomic<Int>(0)
    private let batchCount = Atomic<Int>(0)
    private let batchedJobCount = Atomic<Int>(0)
    private let commitFailureCount = Atomic<Int>(0)
    private let republishCount = Atomic<Int>(0)
    private let unpublishableCount = Atomic<Int>(0)

    public init() {}

    /// Jobs whose `completed` result the broker acknowledged.
    public var completed: Int { completedCount.load(ordering: .relaxed) }
    /// Jobs given a `failed` result (fatal, out of attempts, or poison with a readable job ID).
    public var failed: Int { failedCount.load(ordering: .relaxed) }
    public var expired: Int { expiredCount.load(ordering: .relaxed) }
    /// Messages written to the dead-letter topic.
    public var deadLettered: Int { deadLetteredCount.load(ordering: .relaxed) }
    /// Jobs sent to the retry topic.
    public var retried: Int { retriedCount.load(ordering: .relaxed) }
    /// Model calls made, and the jobs they carried (bisection retries included).
    public var batches: Int { batchCount.load(ordering: .relaxed) }
    public var batchedJobs: Int { batchedJobCount.load(ordering: .relaxed) }
    public var commitFailures: Int { commitFailureCount.load(ordering: .relaxed) }
    /// Messages produced again after the broker failed to acknowledge them.
    public var republished: Int { republishCount.load(ordering: .relaxed) }
    /// Messages given up because the broker refused them and what stood in for them (see the worker's error log).
    public var unpublishable: Int { unpublishableCount.load(ordering: .relaxed) }

    func recordCompleted() { completedCount.add(1, ordering: .relaxed) }
    func recordFailed() { failedCount.add(1, ordering: .relaxed) }
    func recordExpired() { expiredCount.add(1, ordering: .relaxed) }
    func recordDeadLettered() { deadLetteredCount.add(1, ordering: .relaxed) }
    func recordRetried() { retriedCount.add(1, ordering: .relaxed) }
    func recordBatch(size: Int) {
        batchCount.add(1, ordering: .relaxed)
        batchedJobCount.add(size, ordering: .relaxed)
    }
    func recordCommitFailure() { commitFailureCount.add(1, ordering: .relaxed) }
    func recordRepublish() { republishCount.add(1, ordering: .relaxed) }
    func recordUnpublishable() { unpublishableCount.add(1, ordering: .relaxed) }
}
