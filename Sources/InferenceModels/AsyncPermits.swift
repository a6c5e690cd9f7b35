import AsyncWaiting

/// At most `limit` holders at once; the rest wait in order.
///
/// Bounds concurrent model calls: the worker's concurrently running batches, and a model server's concurrent
/// requests (where waiting for a permit must not count against the request's timeout).
public final class AsyncPermits: Sendable {
    /// The permits free, and the tasks waiting for one.
    private let permits: WaiterQueue<Int, Void>

    public init(limit: Int) {
        permits = WaiterQueue(max(1, limit))
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
        let granted: Void? = await permits.wait { available in
            guard available > 0 else { return nil }
            available -= 1
            return ()
        }
        guard granted != nil else { throw CancellationError() }
    }

    /// Returns a permit, handing it to the longest waiter if there is one.
    public func release() {
        let next = permits.withLock { available, waiters -> WaiterQueue<Int, Void>.Wake? in
            guard let next = waiters.takeFirst() else {
                available += 1
                return nil
            }
            return next
        }
        next?.resume(())
    }
}
