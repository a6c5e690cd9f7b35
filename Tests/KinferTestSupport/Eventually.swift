import Foundation

/// Thrown when a condition a test waits on is still false at its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Waits until `condition` holds, checking every `interval`, and throws once `timeout` has passed.
/// Tests wait on outcomes with this, never on fixed sleeps.
public func waitUntil(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(30),
    interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while try await !condition() {
        guard clock.now < deadline else {
            throw DeadlineExceeded(description: "timed out after \(timeout) waiting for \(what())")
        }
        try await Task.sleep(for: interval)
    }
}
