import Foundation
@testable import Gateway
import InferenceJobs
import Testing

/// The waiter registry, the event-stream plan and the sync-wait rule as values: no broker, no socket.
@Suite("Result waiters")
struct ResultWaitersTests {
    static func delivery(_ jobID: String) -> ResultWaiters.Delivery {
        let now = Date()
        let result = JobResult(
            jobID: jobID, status: .completed, output: nil, error: nil, attempts: 1, model: "m", modelVersion: "1",
            worker: "w", submittedAt: now, startedAt: now, completedAt: now
        )
        return ResultWaiters.Delivery(result: result, producedAt: now)
    }

    @Test("A result delivered before the wait is kept in the ticket; one delivered during it wakes the waiter")
    func deliveredBeforeAndDuring() async throws {
        let waiters = ResultWaiters()
        let early = try #require(waiters.register("a", kind: .predict, limit: 10))
        #expect(waiters.isAwaited("a"))
        #expect(waiters.deliver(Self.delivery("a")) == 1)
        #expect(await waiters.next(early)?.result.jobID == "a")

        let late = try #require(waiters.register("b", kind: .stream, limit: 10))
        async let waited = waiters.next(late, until: .now + .seconds(20))
        try await waitUntilRegisteredWaiterParks(waiters, "b")
        #expect(waiters.deliver(Self.delivery("b")) == 1)
        #expect(await waited?.result.jobID == "b")
        waiters.forget(early)
        waiters.forget(late)
        #expect(!waiters.isAwaited("a") && !waiters.isAwaited("b"))
        #expect(waiters.count(.predict) == 0 && waiters.count(.stream) == 0)
    }

    @Test("Results for jobs no one waits for reach no one; a deadline ends the wait with nil and keeps the ticket")
    func deadlineAndStrangers() async throws {
        let waiters = ResultWaiters()
        #expect(!waiters.isAwaited("x"))
        #expect(waiters.deliver(Self.delivery("x")) == 0)
        let ticket = try #require(waiters.register("y", kind: .stream, limit: 10))
        #expect(await waiters.next(ticket, until: .now + .milliseconds(50)) == nil)
        #expect(waiters.isRegistered(ticket))
        waiters.deliver(Self.delivery("y"))
        #expect(await waiters.next(ticket, until: .now + .seconds(20))?.result.jobID == "y")
        waiters.forget(ticket)
    }

    @Test("Cancelling the waiting task ends the wait at once; forgetting the ticket (a disconnect) does too")
    func cancellationAndForgetting() async throws {
        let waiters = ResultWaiters()
        let ticket = try #require(waiters.register("c", kind: .predict, limit: 10))
        let started = ContinuousClock.now
        let task = Task { await waiters.next(ticket) }
        try await waitUntilRegisteredWaiterParks(waiters, "c")
        task.cancel()
        #expect(await task.value == nil)
        #expect(waiters.isRegistered(ticket))

        let forgotten = Task { await waiters.next(ticket) }
        try await waitUntilRegisteredWaiterParks(waiters, "c")
        waiters.forget(ticket)
        #expect(await forgotten.value == nil)
        #expect(!waiters.isAwaited("c"))
        #expect(ContinuousClock.now - started < .seconds(10))

        // Already cancelled before waiting: returns at once.
        let again = try #require(waiters.register("d", kind: .predict, limit: 10))
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await waiters.next(again)
        }
        #expect(await cancelledFirst.value == nil)
        waiters.forget(again)
    }

    @Test("Each kind has its own limit, and forgetting frees a place")
    func limits() throws {
        let waiters = ResultWaiters()
        let first = try #require(waiters.register("j", kind: .predict, limit: 2))
        _ = try #require(waiters.register("j", kind: .predict, limit: 2))
        #expect(waiters.register("k", kind: .predict, limit: 2) == nil)
        #expect(waiters.register("k", kind: .stream, limit: 2) != nil)
        waiters.forget(first)
        waiters.forget(first)  // twice is harmless
        #expect(waiters.count(.predict) == 1)
        #expect(waiters.register("k", kind: .predict, limit: 2) != nil)
    }

    @Test("Event stream plan: status then result; Last-Event-ID 1 skips the status; 2 sends nothing and ends")
    func eventStreamPlan() {
        let pending = JobEventStream(jobID: "p", lastEventID: nil, status: "pending", finishedResult: nil)
        #expect(pending.initial.map(\.id) == [1])
        #expect(pending.initial.map(\.name) == ["status"])
        #expect(pending.waitsForResult)
        #expect(String(decoding: pending.initial[0].bytes, as: UTF8.self) == "id: 1\nevent: status\ndata: {\"job_id\":\"p\",\"status\":\"pending\"}\n\n")

        let resumed = JobEventStream(jobID: "p", lastEventID: "1", status: "pending", finishedResult: nil)
        #expect(resumed.initial.isEmpty && resumed.waitsForResult)

        let done = JobEventStream(jobID: "f", lastEventID: nil, status: "completed", finishedResult: Array(#"{"a":1}"#.utf8))
        #expect(done.initial.map(\.id) == [1, 2] && !done.waitsForResult)
        #expect(done.initial.map(\.name) == ["status", "result"])
        #expect(JobEventStream(jobID: "f", lastEventID: "1", status: "completed", finishedResult: [0x7B, 0x7D]).initial.map(\.id) == [2])
        let over = JobEventStream(jobID: "f", lastEventID: "2", status: "completed", finishedResult: [0x7B, 0x7D])
        #expect(over.initial.isEmpty && !over.waitsForResult)
        #expect(JobEventStream(jobID: "p", lastEventID: "2", status: "pending", finishedResult: nil).waitsForResult == false)
        #expect(JobEventStream(jobID: "p", lastEventID: "junk", status: "pending", finishedResult: nil).initial.map(\.id) == [1])
    }

    @Test("The predict wait is the sync timeout, or the job's timeout_ms when smaller")
    func syncWait() {
        #expect(SyncWait.budget(configured: .seconds(30), requestedMilliseconds: nil) == .seconds(30))
        #expect(SyncWait.budget(configured: .seconds(30), requestedMilliseconds: 500) == .milliseconds(500))
        #expect(SyncWait.budget(configured: .milliseconds(200), requestedMilliseconds: 5000) == .milliseconds(200))
    }
}

/// Waits (with a deadline) until a waiter for `jobID` has parked; `next` parks right after it is called, so this
/// only closes the window between starting the task and its first suspension.
private func waitUntilRegisteredWaiterParks(_ waiters: ResultWaiters, _ jobID: String) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !waiters.isParked(jobID) {
        guard ContinuousClock.now < deadline else { throw CancellationError() }
        await Task.yield()
    }
}

@Suite("Result waiters at shutdown")
struct ResultWaitersShutdownTests {
    @Test("Closing the streams ends their waits and refuses new ones; predict waiters are left alone")
    func closingStreams() async throws {
        let waiters = ResultWaiters()
        let stream = try #require(waiters.register("s", kind: .stream, limit: 10))
        let predict = try #require(waiters.register("s", kind: .predict, limit: 10))
        let waiting = Task { await waiters.next(stream) }
        let deadline = ContinuousClock.now + .seconds(5)
        while !waiters.isParked("s"), ContinuousClock.now < deadline { await Task.yield() }
        waiters.close(.stream)
        #expect(await waiting.value == nil)
        #expect(!waiters.isRegistered(stream) && waiters.isRegistered(predict))
        #expect(waiters.count(.stream) == 0 && waiters.count(.predict) == 1)
        #expect(waiters.register("t", kind: .stream, limit: 10) == nil)
        #expect(waiters.deliver(ResultWaitersTests.delivery("s")) == 1)
        #expect(await waiters.next(predict)?.result.jobID == "s")
    }
}

@Suite("Store re-reads of a waiting stream")
struct StoreRecheckTests {
    /// With a 15 s heartbeat: reads at 0.25, 0.75, 1.75, 3.75, 7.75, 11.75 s, the heartbeat at 15 s, then reads every
    /// 4 s again; the schedule never waits longer than the heartbeat or 4 s between reads.
    @Test("Reads the store again after 250 ms, doubling up to 4 s; heartbeats keep their own pace")
    func schedule() {
        let start = ContinuousClock.now
        var recheck = StoreRecheck(heartbeat: .seconds(15), now: start)
        var wakes: [(Duration, StoreRecheck.Reason)] = []
        for _ in 0..<9 {
            let at = recheck.nextWake
            wakes.append((at - start, recheck.woke(now: at)))
        }
        let expected: [(Duration, StoreRecheck.Reason)] = [
            (.milliseconds(250), .readStore), (.milliseconds(750), .readStore), (.milliseconds(1750), .readStore),
            (.milliseconds(3750), .readStore), (.milliseconds(7750), .readStore), (.milliseconds(11750), .readStore),
            (.seconds(15), .sendHeartbeat), (.milliseconds(15750), .readStore), (.milliseconds(19750), .readStore),
        ]
        #expect(wakes.map(\.0) == expected.map(\.0))
        #expect(wakes.map(\.1) == expected.map(\.1))
    }
}
