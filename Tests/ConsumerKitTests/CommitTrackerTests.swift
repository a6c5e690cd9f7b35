import Kafka
import Testing

import ConsumerKit

@Suite("Commit tracker")
struct CommitTrackerTests {
    let p0 = KafkaTopicPartition(topic: "jobs", partition: 0)
    let p1 = KafkaTopicPartition(topic: "jobs", partition: 1)

    @Test("Only the finished prefix of a partition is committable")
    func prefix() {
        var tracker = CommitTracker()
        for offset in 10..<15 { tracker.taken(p0, offset: Int64(offset)) }
        tracker.finished(p0, offset: 12)
        tracker.finished(p0, offset: 11)
        #expect(tracker.takeCommittable().isEmpty)
        tracker.finished(p0, offset: 10)
        #expect(tracker.takeCommittable() == [p0: 13])
        #expect(tracker.inFlight == 2)
    }

    @Test("A committable offset is handed out once, until it moves again")
    func handedOutOnce() {
        var tracker = CommitTracker()
        tracker.taken(p0, offset: 0)
        tracker.taken(p0, offset: 1)
        tracker.finished(p0, offset: 0)
        #expect(tracker.takeCommittable() == [p0: 1])
        #expect(tracker.takeCommittable().isEmpty)
        tracker.finished(p0, offset: 1)
        #expect(tracker.takeCommittable() == [p0: 2])
    }

    @Test("Gaps in offsets (compaction, transaction markers) do not block commits")
    func gaps() {
        var tracker = CommitTracker()
        for offset: Int64 in [3, 7, 20] { tracker.taken(p0, offset: offset) }
        for offset: Int64 in [20, 7, 3] { tracker.finished(p0, offset: offset) }
        #expect(tracker.takeCommittable() == [p0: 21])
        #expect(tracker.inFlight == 0)
    }

    @Test("Partitions are independent")
    func independentPartitions() {
        var tracker = CommitTracker()
        tracker.taken(p0, offset: 0)
        tracker.taken(p1, offset: 0)
        tracker.taken(p1, offset: 1)
        tracker.finished(p1, offset: 1)
        tracker.finished(p1, offset: 0)
        #expect(tracker.takeCommittable() == [p1: 2])
        #expect(tracker.inFlight(in: [p0]) == 1)
    }

    @Test("A redelivered offset must finish as often as it was taken")
    func redelivery() {
        var tracker = CommitTracker()
        tracker.taken(p0, offset: 5)
        tracker.taken(p0, offset: 6)
        tracker.taken(p0, offset: 5)
        tracker.finished(p0, offset: 5)
        #expect(tracker.takeCommittable().isEmpty)
        tracker.finished(p0, offset: 5)
        tracker.finished(p0, offset: 6)
        #expect(tracker.takeCommittable() == [p0: 7])
    }

    @Test("Finishing an unknown or forgotten offset changes nothing")
    func forgotten() {
        var tracker = CommitTracker()
        tracker.taken(p0, offset: 1)
        let unknown = tracker.finished(p0, offset: 2)
        #expect(!unknown)
        tracker.forget([p0])
        #expect(tracker.inFlight == 0)
        let forgotten = tracker.finished(p0, offset: 1)
        #expect(!forgotten)
        #expect(tracker.takeCommittable().isEmpty)
    }

    @Test("100,000 offsets finished in reverse order commit exactly once at the end")
    func reverseOrder() {
        var tracker = CommitTracker()
        let count: Int64 = 100_000
        for offset in 0..<count { tracker.taken(p0, offset: offset) }
        for offset in (1..<count).reversed() { tracker.finished(p0, offset: offset) }
        #expect(tracker.takeCommittable().isEmpty)
        tracker.finished(p0, offset: 0)
        #expect(tracker.takeCommittable() == [p0: count])
    }
}
