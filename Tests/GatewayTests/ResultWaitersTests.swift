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

    @Test("Event IDs: status is 'status', a token's is its index, the result's 'result'; Last-Event-ID says where to resume")
    func eventStreamIDs() {
        #expect(String(decoding: JobEventStream.status(jobID: "p", status: "pending").bytes, as: UTF8.self)
            == "id: status\nevent: status\ndata: {\"job_id\":\"p\",\"status\":\"pending\"}\n\n")
        #expect(String(decoding: JobEventStream.token(.init(index: 3, lastIndex: 3, text: " queue\n")).bytes, as: UTF8.self)
            == "id: 3\nevent: token\ndata: {\"index\":3,\"token\":\" queue\\n\"}\n\n")
        // The rest of a text sent at once: its first index in the data, its last as the ID.
        #expect(JobEventStream.token(.init(index: 4, lastIndex: 9, text: "rest")).id == "9")
        #expect(String(decoding: JobEventStream.result(Array(#"{"a":1}"#.utf8)).bytes, as: UTF8.self) == "id: result\nevent: result\ndata: {\"a\":1}\n\n")

        typealias Resume = JobEventStream.Resume
        #expect(Resume(lastEventID: nil) == .start && Resume(lastEventID: nil).sendsStatus)
        #expect(Resume(lastEventID: "status") == .afterStatus && !Resume(lastEventID: "status").sendsStatus)
        #expect(Resume(lastEventID: " 7 ") == .afterToken(7) && Resume(lastEventID: "7").lastTokenIndex == 7)
        #expect(Resume(lastEventID: "result") == .afterResult)
        #expect(Resume(lastEventID: "junk") == .start && Resume(lastEventID: "-1") == .start)
    }

    @Test("A stream's ticket wakes on a nudge (kept when it is not waiting) and takes its result once; predict tickets are not nudged")
    func nudges() async throws {
        let waiters = ResultWaiters()
        let stream = try #require(waiters.register("n", kind: .stream, limit: 10))
        let predict = try #require(waiters.register("n", kind: .predict, limit: 10))
        let soon = ContinuousClock.now + .seconds(5)
        waiters.nudge("n")
        guard case .progress = await waiters.nextWake(stream, until: soon) else { Issue.record("the nudge was lost"); return }
        let waiting = Task { await waiters.nextWake(stream, until: ContinuousClock.now + .seconds(5)) }
        try await waitUntilRegisteredWaiterParks(waiters, "n")
        waiters.nudge("n")
        guard case .progress = await waiting.value else { Issue.record("a parked wait was not woken"); return }
        waiters.deliver(ResultWaitersTests.delivery("n"))
        guard case .result = await waiters.nextWake(stream, until: soon) else { Issue.record("no result"); return }
        guard case .ended = await waiters.nextWake(stream, until: .now + .milliseconds(20)) else { Issue.record("the result twice"); return }
        #expect(await waiters.next(predict)?.result.jobID == "n")
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
