import ResultStore
import Synchronization

/// Running totals of the sink, readable at any time (tests, the demo, metrics).
public final class SinkCounters: Sendable {
    private let writtenCount = Atomic<Int>(0)
    private let duplicateCount = Atomic<Int>(0)
    private let deadLetterCount = Atomic<Int>(0)
    private let batchCount = Atomic<Int>(0)
    private let failedWriteCount = Atomic<Int>(0)
    private let expiredCount = Atomic<Int>(0)
    private let givenUpCount = Atomic<Int>(0)
    private let refusedCount = Atomic<Int>(0)

    public init() {}

    /// Rows inserted.
    public var written: Int { writtenCount.load(ordering: .relaxed) }
    /// Results for jobs that already had a row: changed nothing.
    public var duplicatesAbsorbed: Int { duplicateCount.load(ordering: .relaxed) }
    /// Result messages sent to the results dead-letter topic: undecodable ones and those the database refused.
    public var deadLettered: Int { deadLetterCount.load(ordering: .relaxed) }
    /// Results the database refused non-retryably, dead-lettered with its reason (counted in ``deadLettered`` too).
    public var refused: Int { refusedCount.load(ordering: .relaxed) }
    /// Transactions committed.
    public var batches: Int { batchCount.load(ordering: .relaxed) }
    /// Write attempts that failed retryably (and were retried).
    public var failedWrites: Int { failedWriteCount.load(ordering: .relaxed) }
    /// Rows deleted by retention.
    public var expiredDeleted: Int { expiredCount.load(ordering: .relaxed) }
    /// Dead letters the broker refused even without the message's value, given up (see the error log).
    public var givenUp: Int { givenUpCount.load(ordering: .relaxed) }

    func recordWrite(_ outcome: WriteOutcome) {
        writtenCount.add(outcome.inserted, ordering: .relaxed)
        duplicateCount.add(outcome.duplicatesAbsorbed, ordering: .relaxed)
        batchCount.add(1, ordering: .relaxed)
    }
    func recordDeadLetter() { deadLetterCount.add(1, ordering: .relaxed) }
    func recordFailedWrite() { failedWriteCount.add(1, ordering: .relaxed) }
    func recordExpired(_ count: Int) { expiredCount.add(count, ordering: .relaxed) }
    func recordGivenUp() { givenUpCount.add(1, ordering: .relaxed) }
    func recordRefused() { refusedCount.add(1, ordering: .relaxed) }
}
