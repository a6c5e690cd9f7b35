import AsyncWaiting
import Synchronization

/// Lets producers wait, without spinning, for librdkafka's local queue to have room again.
///
/// The poll thread advances the generation after serving delivery reports; a producer that saw
/// `QUEUE_FULL` at generation `g` suspends until the generation passes `g`, then tries again.
final class QueueSpaceSignal: Sendable {
    /// Read on every produce without taking the lock; changed only under it.
    private let currentGeneration = Atomic<UInt64>(0)
    private let producers = WaiterQueue<Void, Void>(())

    var generation: UInt64 { currentGeneration.load(ordering: .acquiring) }

    var hasWaiters: Bool { producers.hasWaiters }

    /// Returns once the generation has passed `seen`, or once the task is cancelled.
    func wait(after seen: UInt64) async {
        _ = await producers.wait { _ in currentGeneration.load(ordering: .acquiring) == seen ? nil : () }
    }

    func advance() {
        let waiters = producers.withLock { _, waiters in
            currentGeneration.add(1, ordering: .acquiringAndReleasing)
            return waiters.takeAll()
        }
        for waiter in waiters { waiter.resume(()) }
    }
}
