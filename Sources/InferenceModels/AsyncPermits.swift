import Synchronization

/// At most `limit` holders at once; the rest wait in order.
///
/// Bounds concurrent model calls: the worker's concurrently running batches, and a model server's concurrent
/// requests (where waiting for a permit must not count against the request's timeout).
public final class AsyncPermits: Sendable {
    private struct State {
        var available: Int
        /// Waiters in arrival order, by ticket; a cancelled waiter leaves its place.
        var waiters: [(ticket: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextTicket = 0
    }
    private let state: Mutex<State>

    public init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` holding a permit; throws `CancellationError` if the task is cancelled while it waits for one.
    public func withPermit<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Waits for a permit; pair with ``release()``, for a holder that outlives the caller's scope. Throws
    /// `CancellationError`, holding nothing, if the task is cancelled first.
    public func acquire() async throws {
        let ticket = state.withLock { state in
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted = state.withLock { state -> Bool? in
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    // Under the lock: a cancellation is either seen here or finds the waiter registered.
                    if Task.isCancelled { return false }
                    state.waiters.append((ticket, continuation))
                    return nil
                }
                switch granted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit, handing it to the longest waiter if there is one.
    public func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
