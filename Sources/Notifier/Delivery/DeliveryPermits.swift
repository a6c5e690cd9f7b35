import Synchronization

/// How many deliveries run at once: at most ``limit`` in all and ``perHostLimit`` to any one host, so that one slow
/// receiver holds a few connections, never all of them.
///
/// Waiters are served in arrival order among those whose host has room: a delivery to a busy host does not hold
/// up one to an idle host behind it. Every wait ends when its task is cancelled.
public final class DeliveryPermits: Sendable {
    private struct Waiter {
        let id: Int
        let host: String
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var running = 0
        var runningByHost: [String: Int] = [:]
        var waiters: [Waiter] = []
        var nextID = 0

        func hasRoom(for host: String, limit: Int, perHostLimit: Int) -> Bool {
            self.running < limit && self.runningByHost[host, default: 0] < perHostLimit
        }

        mutating func take(_ host: String) {
            self.running += 1
            self.runningByHost[host, default: 0] += 1
        }
    }

    public let limit: Int
    public let perHostLimit: Int
    private let state = Mutex(State())

    public init(limit: Int, perHostLimit: Int) {
        self.limit = max(1, limit)
        self.perHostLimit = max(1, min(perHostLimit, limit))
    }

    /// Deliveries running now.
    public var running: Int { self.state.withLock { $0.running } }

    /// Runs `body` holding a permit for `host`.
    /// - Throws: `CancellationError` when cancelled while waiting (nothing ran), or what `body` throws.
    public func withPermit<T: Sendable>(host: String, _ body: () async throws -> T) async throws -> T {
        try await self.acquire(host: host)
        defer { self.release(host: host) }
        return try await body()
    }

    func acquire(host: String) async throws {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = self.state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.hasRoom(for: host, limit: self.limit, perHostLimit: self.perHostLimit) {
                        state.take(host)
                        return .success(())
                    }
                    state.waiters.append(Waiter(id: id, host: host, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let cancelled = self.state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    func release(host: String) {
        let woken = self.state.withLock { state -> [Waiter] in
            state.running -= 1
            state.runningByHost[host, default: 1] -= 1
            if state.runningByHost[host] == 0 { state.runningByHost[host] = nil }
            var woken: [Waiter] = []
            var index = 0
            while index < state.waiters.count && state.running < self.limit {
                let waiter = state.waiters[index]
                if state.hasRoom(for: waiter.host, limit: self.limit, perHostLimit: self.perHostLimit) {
                    state.take(waiter.host)
                    woken.append(state.waiters.remove(at: index))
                } else {
                    index += 1
                }
            }
            return woken
        }
        for waiter in woken { waiter.continuation.resume() }
    }
}
