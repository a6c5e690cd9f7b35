import Synchronization

/// Holds callers of ``pass()`` while closed, releasing them all on ``open()``: for test models that must keep work
/// in flight until the test has seen what it waits for.
public final class Gate: Sendable {
    private struct State {
        var open = true
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state: Mutex<State>

    public init(open: Bool = true) {
        state = Mutex(State(open: open))
    }

    public func close() {
        state.withLock { $0.open = false }
    }

    /// How many callers it holds now.
    public var held: Int { state.withLock { $0.waiters.count } }

    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at once while open; otherwise when ``open()`` is called, or when the task is cancelled (a test that
    /// fails or runs out of time while the gate is closed must still end: its worker cancels held calls on the way out).
    public func pass() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let passes = state.withLock { state in
                    if state.open || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if passes { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
