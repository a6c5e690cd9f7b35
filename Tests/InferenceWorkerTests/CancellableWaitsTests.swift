import Foundation
import InferenceJobs
import InferenceModels
import Kafka
import KinferTestSupport
import Synchronization
import Testing

@testable import InferenceWorker

/// Every wait in the worker ends when its task is cancelled, whether the cancellation comes before the wait has
/// begun or while it is suspended, and leaves no state behind (a cancelled permit waiter takes no permit).
@Suite("Waits that end on cancellation")
struct CancellableWaitsTests {
    static let turns = [0, 1, 20]
    let partition = KafkaTopicPartition(topic: "jobs", partition: 0)

    @Test("A permit waiter cancelled takes no permit", arguments: turns)
    func permitWaiter(yields: Int) async throws {
        let permits = AsyncPermits(limit: 1)
        try await permits.acquire()
        let outcome = Outcome()
        try await expectEndsWhenCancelled("a permit waiter", afterYields: yields) {
            do {
                try await permits.acquire()
                outcome.record("acquired")
            } catch is CancellationError {
                outcome.record("cancelled")
            } catch {
                outcome.record("\(error)")
            }
        }
        #expect(outcome.value == "cancelled")
        permits.release()
        // The cancelled waiter left the queue: the released permit is free for the next caller at once.
        try await permits.acquire()
    }

    @Test("A shutdown waiter returns, the signal unfired", arguments: turns)
    func shutdownWaiter(yields: Int) async throws {
        let signal = ShutdownSignal()
        try await expectEndsWhenCancelled("a shutdown waiter", afterYields: yields) { await signal.wait() }
        #expect(!signal.hasFired)
    }

    @Test("A batch reader gets nil, and a queued job stays queued", arguments: turns)
    func batchReader(yields: Int) async throws {
        let queue = BatchQueue(maxBatchSize: 10, maxBatchDelay: .seconds(600))
        try await expectEndsWhenCancelled("an empty queue's reader", afterYields: yields) {
            #expect(await queue.nextBatch() == nil)
        }
        queue.append(PendingJob(
            job: InferenceJob(jobID: "queued", inputs: ModelInput(features: [1]), submittedAt: Date()),
            message: KafkaConsumerMessage(topic: "jobs", partition: 0, offset: 0, key: nil, value: nil),
            model: SimulatedModel()
        ))
        try await expectEndsWhenCancelled("a reader waiting out the batch delay", afterYields: yields) {
            #expect(await queue.nextBatch() == nil)
        }
        #expect(queue.count == 1)
    }

    @Test("Admission and release give up their waits", arguments: turns)
    func admissionAndRelease(yields: Int) async throws {
        let jobs = InFlightJobs(limit: 1)
        let first = KafkaConsumerMessage(topic: "jobs", partition: 0, offset: 0, key: nil, value: nil)
        let second = KafkaConsumerMessage(topic: "jobs", partition: 0, offset: 1, key: nil, value: nil)
        #expect(await jobs.admit([first][...]).admitted == [first])
        try await expectEndsWhenCancelled("admission with no room", afterYields: yields) {
            #expect(await jobs.admit([second][...]).admitted.isEmpty)
        }
        try await expectEndsWhenCancelled("a release waiting for an in-flight job", afterYields: yields) {
            _ = await jobs.release([partition], within: .seconds(600))
        }
    }
}

/// What a cancelled task saw.
private final class Outcome: Sendable {
    private let stored = Mutex<String?>(nil)
    var value: String? { stored.withLock { $0 } }
    func record(_ value: String) { stored.withLock { $0 = value } }
}
