import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM, for commands that run until stopped but have no `ServiceGroup` (`kinfer broker`).
enum Signals {
    /// Returns the signal that arrived.
    static func waitForTermination() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if once.claim() { continuation.resume(returning: number) }
                }
                source.resume()
                sources.append(source)
            }
            Signals.keepAlive(sources)
        }
    }

    /// Sources must outlive the wait; the process ends soon after it anyway.
    nonisolated(unsafe) private static var retained: [DispatchSourceSignal] = []
    private static func keepAlive(_ sources: [DispatchSourceSignal]) {
        retained = sources
    }
}

/// True for the first caller of ``claim()`` only.
private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !claimed else { return false }
        claimed = true
        return true
    }
}
