import KinferTestSupport
import Notifier
import Synchronization
import Testing

@Suite struct DeliveryPermitsTests {
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { self.value.store(true, ordering: .relaxed) }
        var isSet: Bool { self.value.load(ordering: .relaxed) }
    }

    /// How many run at once, and the most that ever did.
    final class Concurrency: Sendable {
        private let state = Mutex((now: 0, peak: 0))
        func enter() { self.state.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
        func leave() { self.state.withLock { $0.now -= 1 } }
        var peak: Int { self.state.withLock { $0.peak } }
    }

    /// Eight posts to a slow host hold two permits; a post to another host still runs while they wait.
    @Test func aBusyHostDoesNotHoldUpAnother() async throws {
        let permits = DeliveryPermits(limit: 4, perHostLimit: 2)
        let running = Concurrency()
        let released = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await permits.withPermit(host: "slow") {
                        running.enter()
                        try await waitUntil("released", timeout: .seconds(30)) { released.isSet }
                        running.leave()
                    }
                }
            }
            try await waitUntil("the slow host holds its two permits", timeout: .seconds(10)) { permits.running == 2 }
            let ran = try await permits.withPermit(host: "fast") { true }
            #expect(ran, "another host's post ran while the slow host's waited")
            released.set()
            try await group.waitForAll()
        }
        #expect(running.peak == 2)
        #expect(permits.running == 0)
    }

    @Test func aCancelledWaitTakesNoPermit() async throws {
        let permits = DeliveryPermits(limit: 1, perHostLimit: 1)
        let released = Flag()
        let holder = Task { try await permits.withPermit(host: "a") { try await waitUntil("released", timeout: .seconds(30)) { released.isSet } } }
        try await waitUntil("the permit is held", timeout: .seconds(10)) { permits.running == 1 }
        let waiter = Task { try await permits.withPermit(host: "a") { Issue.record("ran although cancelled") } }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        released.set()
        try await holder.value
        #expect(permits.running == 0)
    }
}
