import Synchronization

/// Lets producers wait, without spinning, for librdkafka's local queue to have room again.
///
/// The poll thread advances the generation after serving delivery reports; a producer that saw
/// `QUEUE_FULL` at generation `g` suspends until the generation passes `g`, then tries again.
final class QueueSpaceSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    func wait(after seen: UInt64) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                guard state.generation == seen else { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func advance() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
