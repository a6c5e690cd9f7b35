import Synchronization

/// A state behind a lock, and the tasks waiting for it to change.
///
/// A waiter is woken with a value by whoever changes the state (``withLock(_:)`` hands out the waiters to wake), or
/// leaves, with `nil`, when its task is cancelled. Looking at the state and joining the queue happen under one lock,
/// and so do a cancellation and leaving it, so neither a wake-up nor a cancellation can fall between the two: the
/// pattern each of kinfer's waits (the shutdown signal, the producer's wait for queue room, the model-call permits)
/// used to write out by hand.
///
/// Waiters are kept in arrival order, so ``Waiters/takeFirst()`` is fair.
public final class WaiterQueue<State: Sendable, Value: Sendable>: Sendable {
    /// A waiter taken from the queue: resume it after the lock is released.
    public struct Wake: Sendable {
        fileprivate let continuation: CheckedContinuation<Value?, Never>

        public func resume(_ value: Value) {
            continuation.resume(returning: value)
        }
    }

    /// The waiters, as ``withLock(_:)`` lends them.
    public struct Waiters: Sendable {
        fileprivate var entries: [(id: Int, continuation: CheckedContinuation<Value?, Never>)] = []

        public var isEmpty: Bool { entries.isEmpty }
        public var count: Int { entries.count }

        /// Takes the longest-waiting waiter.
        public mutating func takeFirst() -> Wake? {
            entries.isEmpty ? nil : Wake(continuation: entries.removeFirst().continuation)
        }

        /// Takes every waiter.
        public mutating func takeAll() -> [Wake] {
            defer { entries.removeAll() }
            return entries.map { Wake(continuation: $0.continuation) }
        }

        fileprivate mutating func take(_ id: Int) -> CheckedContinuation<Value?, Never>? {
            guard let index = entries.firstIndex(where: { $0.id == id }) else { return nil }
            return entries.remove(at: index).continuation
        }
    }

    private struct Locked: Sendable {
        var state: State
        var waiters = Waiters()
        var nextID = 0
    }

    private let locked: Mutex<Locked>
    /// Mirrors the waiter count so that ``hasWaiters`` takes no lock: it is read on hot paths (every produce call).
    private let waiterCount = Atomic<Int>(0)

    public init(_ state: State) {
        locked = Mutex(Locked(state: state))
    }

    /// Whether any task waits, without taking the lock.
    public var hasWaiters: Bool { waiterCount.load(ordering: .acquiring) > 0 }

    /// Runs `body` on the state and the waiters under the lock; resume the waiters it takes after it returns.
    public func withLock<Result>(_ body: (inout State, inout Waiters) throws -> Result) rethrows -> Result {
        try locked.withLock { locked in
            defer { waiterCount.store(locked.waiters.count, ordering: .releasing) }
            return try body(&locked.state, &locked.waiters)
        }
    }

    /// Returns `ready`'s value at once when it has one for the state; otherwise waits at the back of the queue until a
    /// ``Wake`` resumes it with a value. Returns `nil`, without waiting or leaving the queue, once the task is cancelled.
    ///
    /// - Parameter ready: runs under the lock, once; it may change the state (take a permit).
    public func wait(orNow ready: (inout State) -> Value?) async -> Value? {
        let id = locked.withLock { locked in
            defer { locked.nextID += 1 }
            return locked.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let now: Value?? = locked.withLock { locked in
                    if let value = ready(&locked.state) { return .some(value) }
                    // Under the lock: a cancellation is either seen here or finds the waiter in the queue.
                    if Task.isCancelled { return .some(nil) }
                    locked.waiters.entries.append((id, continuation))
                    waiterCount.store(locked.waiters.count, ordering: .releasing)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = locked.withLock { locked in
                defer { waiterCount.store(locked.waiters.count, ordering: .releasing) }
                return locked.waiters.take(id)
            }
            waiter?.resume(returning: nil)
        }
    }
}
