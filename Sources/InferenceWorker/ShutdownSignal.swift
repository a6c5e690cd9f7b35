import AsyncWaiting

/// A one-shot signal: ``fire()`` once, from anywhere; ``wait()`` returns once it has fired, or once the waiting
/// task is cancelled.
final class ShutdownSignal: Sendable {
    /// Whether it has fired, and who waits for it.
    private let fired = WaiterQueue<Bool, Void>(false)

    var hasFired: Bool { fired.withLock { fired, _ in fired } }

    func fire() {
        let waiters = fired.withLock { fired, waiters in
            fired = true
            return waiters.takeAll()
        }
        for waiter in waiters { waiter.resume(()) }
    }

    func wait() async {
        _ = await fired.wait { fired in fired ? () : nil }
    }
}
