@testable import Gateway
import Testing

@Suite("When a look-up has waited long enough for the pending-job recorder")
struct RecorderCatchUpTests {
    /// A reading of two partitions: (low, high, recorder's committed offset) each.
    func reading(_ round: UInt64, _ partitions: [Int32: (Int64, Int64, Int64?)]) -> JobsTopicReading {
        JobsTopicReading(
            round: round,
            partitions: partitions.mapValues { JobsTopicReading.Partition(low: $0.0, high: $0.1, recorderCommitted: $0.2) }
        )
    }

    func observe(_ catchUp: inout RecorderCatchUp, _ reading: JobsTopicReading) -> Bool {
        catchUp.observe(reading)
    }

    @Test("A reading under way when the look-up missed proves nothing, even with the recorder at its watermarks")
    func readingsStartedBeforeTheMissAreIgnored() {
        var catchUp = RecorderCatchUp(lastRoundStarted: 7)
        #expect(!observe(&catchUp, reading(7, [0: (0, 10, 10), 1: (0, 5, 5)])))
        #expect(observe(&catchUp, reading(8, [0: (0, 10, 10), 1: (0, 5, 5)])))
    }

    @Test("The target is the first later reading's watermarks: the recorder must reach them, not the moving end of the topic")
    func theTargetIsFixedAtTheFirstLaterReading() {
        var catchUp = RecorderCatchUp(lastRoundStarted: 0)
        #expect(!observe(&catchUp, reading(1, [0: (0, 10, 4), 1: (0, 5, 5)])))
        // Producers went on: the end moved to 30, but the recorder has passed 10, which is all the look-up needs.
        #expect(!observe(&catchUp, reading(2, [0: (0, 20, 9), 1: (0, 8, 5)])))
        #expect(observe(&catchUp, reading(3, [0: (0, 30, 10), 1: (0, 9, 5)])))
    }

    @Test("A partition the recorder never committed on holds the look-up, unless it retains nothing")
    func partitionsWithoutCommits() {
        var holding = RecorderCatchUp(lastRoundStarted: 0)
        #expect(!observe(&holding, reading(1, [0: (0, 10, 10), 1: (0, 3, nil)])))
        #expect(!observe(&holding, reading(2, [0: (0, 10, 10)])))  // a partition missing from a reading proves nothing either
        var empty = RecorderCatchUp(lastRoundStarted: 0)
        #expect(observe(&empty, reading(1, [0: (0, 10, 10), 1: (4, 4, nil)])))
    }
}
