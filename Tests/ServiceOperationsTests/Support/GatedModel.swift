import InferenceJobs
import InferenceModels
import Synchronization

/// A model that answers at once while its gate is open and holds every call while it is closed: jobs stay in
/// flight, nothing is committed, and the backlog behind them is known exactly.
struct GatedModel: InferenceModel {
    let gate = Gate()
    var name: String { "gated" }
    var version: String { "1" }
    var inputLength: Int? { nil }

    func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        await gate.pass()
        return batch.map { _ in ModelOutput(label: "ok", confidence: 1, scores: [1]) }
    }

    func failureClass(of error: any Error) -> FailureClass { .retryable }
}

final class Gate: Sendable {
    private struct State {
        var open = true
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    func close() {
        state.withLock { $0.open = false }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at once while open; otherwise when ``open()`` is called, or when the task is cancelled (a test that
    /// fails or runs out of time while the gate is closed must still end: its worker cancels held calls on the way out).
    func pass() async {
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
