import Foundation
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@testable import InferenceWorker

@Suite("In-flight jobs: admission around a revoke")
struct InFlightJobsTests {
    let p0 = KafkaTopicPartition(topic: "jobs", partition: 0)
    let p1 = KafkaTopicPartition(topic: "jobs", partition: 1)

    func messages(_ partition: KafkaTopicPartition, _ offsets: Range<Int64>) -> [KafkaConsumerMessage] {
        offsets.map { KafkaConsumerMessage(topic: partition.topic, partition: partition.partition, offset: $0, key: nil, value: nil) }
    }

    @Test("Messages the reader still holds of a revoked partition are used up, not taken; the rest are admitted")
    func heldMessagesOfARevokedPartitionAreDropped() async {
        let jobs = InFlightJobs(limit: 100)
        let held = messages(p0, 0..<3) + messages(p1, 0..<3) + messages(p0, 3..<5)
        _ = await jobs.release([p0], within: .seconds(1))

        let (admitted, consumed) = await jobs.admit(held[...])
        #expect(consumed == held.count)
        #expect(admitted.map(\.topicPartition) == [p1, p1, p1])
        #expect(jobs.count == 3)
    }

    @Test("A partition assigned again is admitted from the reader's next batch on")
    func reassignedPartitionIsAdmittedAgain() async {
        let jobs = InFlightJobs(limit: 100)
        _ = await jobs.release([p0, p1], within: .seconds(1))
        jobs.reopen([p0])

        let (admitted, consumed) = await jobs.admit((messages(p0, 7..<9) + messages(p1, 7..<9))[...])
        #expect(consumed == 4)
        #expect(admitted.map(\.offset) == [7, 8])
        #expect(admitted.allSatisfy { $0.topicPartition == p0 })
    }

    @Test("A reader waiting for room with messages of a partition being revoked drops them without waiting")
    func revokeWakesAWaitingReader() async throws {
        let jobs = InFlightJobs(limit: 8)
        let first = await jobs.admit(messages(p1, 0..<8)[...])
        #expect(first.admitted.count == 8)

        // Full: the reader waits for room with p0's messages in hand.
        let outcome = Mutex<(admitted: Int, consumed: Int)?>(nil)
        Task {
            let (admitted, consumed) = await jobs.admit(messages(p0, 0..<4)[...])
            outcome.withLock { $0 = (admitted.count, consumed) }
        }
        // p0 is revoked while p1's jobs still run: the reader must not wait for them to finish.
        #expect(await jobs.release([p0], within: .seconds(30)).isEmpty)
        try await waitUntil("the reader drops p0's messages", timeout: .seconds(5)) { outcome.withLock { $0 != nil } }
        #expect(outcome.withLock { $0?.admitted } == 0)
        #expect(outcome.withLock { $0?.consumed } == 4)
        #expect(jobs.count == 8)
    }

    @Test("A revoke on the poll thread blocks until the partition's running job finishes, then hands over its offset")
    func blockingReleaseWaitsForTheRunningJob() async throws {
        let jobs = InFlightJobs(limit: 8)
        _ = await jobs.admit(messages(p0, 0..<2)[...])
        jobs.finish(p0, offset: 0)

        let released = Mutex<[KafkaTopicPartition: Int64]?>(nil)
        let pollThread = Thread {
            let offsets = jobs.releaseBlocking([p0], abandoned: 0, within: .seconds(60))
            released.withLock { $0 = offsets }
        }
        pollThread.start()
        try await waitUntil("the release registers its wait", timeout: .seconds(5)) { jobs.isReleasing([p0]) }
        #expect(released.withLock { $0 } == nil, "offset 1 is still running")

        jobs.finish(p0, offset: 1)
        try await waitUntil("the release returns", timeout: .seconds(5)) { released.withLock { $0 != nil } }
        #expect(released.withLock { $0 } == [p0: 2])
        #expect(jobs.count == 0)
    }

    @Test("A blocking revoke whose job never finishes gives up after its timeout and hands over what finished")
    func blockingReleaseGivesUpAtItsTimeout() async {
        let jobs = InFlightJobs(limit: 8)
        _ = await jobs.admit(messages(p0, 0..<3)[...])
        jobs.finish(p0, offset: 0)

        #expect(jobs.releaseBlocking([p0], abandoned: 0, within: .milliseconds(50)) == [p0: 1])
        #expect(jobs.count == 0, "the partition is forgotten, its next owner runs offsets 1 and 2")
    }
}
