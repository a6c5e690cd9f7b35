import Foundation
import Synchronization

/// A dedicated OS thread that serves one client handle.
///
/// librdkafka runs callbacks on the thread that polls. Polling here, with a blocking timeout, keeps
/// that work off Swift's cooperative pool and away from `Task.sleep` ticks: a report is served the
/// moment it arrives.
final class PollThread: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread; it runs until ``stop()`` is called, then `finally` runs once.
    init(name: String, body: @escaping @Sendable () -> Void, finally: @escaping @Sendable () -> Void = {}) {
        let thread = Thread { [self] in
            while !isStopping {
                body()
            }
            finally()
            exited.signal()
        }
        thread.name = name
        thread.start()
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Asks the loop to end after its current iteration.
    func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Waits, without blocking a cooperative thread, until the loop and `finally` have finished.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [exited] in
                exited.wait()
                exited.signal()
                continuation.resume()
            }
        }
    }
}
