import Synchronization

/// Starts `operation` in a task of its own, cancels that task (at once, or after letting it start waiting, by
/// `yields` turns), and waits up to `timeout` for it to end. Throws ``DeadlineExceeded`` if it is still running:
/// a wait that ignores cancellation. (The task is left running then; the test has failed anyway.)
public func expectEndsWhenCancelled(
    _ what: @autoclosure () -> String,
    afterYields yields: Int = 0,
    within timeout: Duration = .seconds(10),
    _ operation: @escaping @Sendable () async -> Void
) async throws {
    let ended = Atomic<Bool>(false)
    let task = Task {
        await operation()
        ended.store(true, ordering: .releasing)
    }
    for _ in 0..<yields { await Task.yield() }
    task.cancel()
    try await waitUntil("\(what()) to end once cancelled", timeout: timeout, interval: .milliseconds(5)) {
        ended.load(ordering: .acquiring)
    }
}
