import Synchronization

/// Lets producers wait, without spinning, for librdkafka's local queue to have room again.
///
/// The poll thread advances the generation after serving delivery reports; a producer that saw
/// `QUEUE_FULL` at generation `g` suspends until the generation passes `g`, then tries again.
final class QueueSpaceSignal: Sendable {
    private struct State {
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())
    /// Read on every produce without taking the lock; changed only under it.
    private let currentGeneration = Atomic<UInt64>(0)
    private let waiterCount = Atomic<Int>(0)

    var generation: UInt64 { currentGeneration.load(ordering: .acquiring) }

    var hasWaiters: Bool { waiterCount.load(ordering: .acquiring) > 0 }

    /// Returns once the generation has passed `seen`, or once the task is cancelled.
    func wait(after seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    // Under the lock: a cancellation is either seen here or finds the waiter registered.
                    guard currentGeneration.load(ordering: .acquiring) == seen, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    waiterCount.store(state.waiters.count, ordering: .releasing)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                defer { waiterCount.store(state.waiters.count, ordering: .releasing) }
                return state.waiters.removeValue(forKey: id)
            }?.resume()
        }
    }

    func advance() {
        let waiters = state.withLock { state in
            currentGeneration.add(1, ordering: .acquiringAndReleasing)
            waiterCount.store(0, ordering: .releasing)
            defer { state.waiters.removeAll() }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }
}
