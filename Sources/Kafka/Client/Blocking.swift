import Foundation
import Synchronization

/// Runs a blocking librdkafka call (flush, commit, admin requests, watermark queries, close) on a thread of
/// ``BlockingThreads``, so that the cooperative pool never waits on the network.
func runBlocking<Result: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> Result) async throws(Failure) -> Result {
    let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
        BlockingThreads.shared.run {
            do throws(Failure) {
                continuation.resume(returning: .success(try body()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try outcome.get()
}

/// Long-lived threads for blocking calls: an idle one takes the next call, and a new one starts only when every
/// thread is busy, so calls never queue behind each other (a consumer's close may block for seconds while a lag
/// read must not wait for it), yet the steady stream of commits and admin calls reuses a thread or two instead of
/// starting one per call. A thread idle for `idleTimeout` ends.
final class BlockingThreads: Sendable {
    static let shared = BlockingThreads(idleTimeout: 30)

    private struct State {
        var work: [@Sendable () -> Void] = []
        var idle = 0
        var threads = 0
        /// Every thread started, for tests: reuse shows as a count that stops growing.
        var started = 0
    }

    private let state = Mutex(State())
    private let available = NSCondition()
    private let idleTimeout: TimeInterval

    init(idleTimeout: TimeInterval) {
        self.idleTimeout = idleTimeout
    }

    /// How many threads have been started so far.
    var startedThreads: Int { state.withLock { $0.started } }

    func run(_ item: @escaping @Sendable () -> Void) {
        available.lock()
        let startThread = state.withLock { state -> Bool in
            state.work.append(item)
            guard state.idle < state.work.count else { return false }
            state.threads += 1
            state.started += 1
            return true
        }
        available.signal()
        available.unlock()
        if startThread {
            let thread = Thread { [self] in self.serve() }
            thread.name = "kinfer-blocking"
            thread.start()
        }
    }

    private func serve() {
        available.lock()
        defer { available.unlock() }
        while true {
            if let item = state.withLock({ $0.work.isEmpty ? nil : $0.work.removeFirst() }) {
                available.unlock()
                item()
                available.lock()
                continue
            }
            state.withLock { $0.idle += 1 }
            let woken = available.wait(until: Date().addingTimeInterval(idleTimeout))
            let exits = state.withLock { state -> Bool in
                state.idle -= 1
                guard !woken, state.work.isEmpty else { return false }
                state.threads -= 1
                return true
            }
            if exits { return }
        }
    }
}
