import Synchronization

/// Lets producers wait, without spinning, for librdkafka's local queue to have room again.
///
/// The poll thread advances the generation after serving delivery reports; a producer that saw
/// `QUEUE_FULL` at generation `g` suspends until the generation passes `g`, then tries again.
final class QueueSpaceSignal: Sendable {
    private struct State {
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    /// Read on every produce without taking the lock; changed only under it.
    private let currentGeneration = Atomic<UInt64>(0)
    private let waiterCount = Atomic<Int>(0)

    var generation: UInt64 { currentGeneration.load(ordering: .acquiring) }

    var hasWaiters: Bool { waiterCount.load(ordering: .acquiring) > 0 }

    func wait(after seen: UInt64) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                guard currentGeneration.load(ordering: .acquiring) == seen else { return true }
                state.waiters.append(continuation)
                waiterCount.store(state.waiters.count, ordering: .releasing)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func advance() {
        let waiters = state.withLock { state in
            currentGeneration.add(1, ordering: .acquiringAndReleasing)
            waiterCount.store(0, ordering: .releasing)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
