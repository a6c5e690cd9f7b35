/// Runs `operation`, and throws ``ResultStoreError/Code-swift.struct/unavailable`` instead if it has not finished
/// within `timeout`.
///
/// On the deadline the operation is cancelled, which withdraws a request still waiting for a pooled connection; a
/// statement already sent to the server cannot be withdrawn and is waited for, bounded by the server-side
/// `statement_timeout` or by the connection failing. An operation that commits just after its deadline is reported
/// as failed; a caller that retries it is still correct, because a repeated write is absorbed.
func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    _ what: String,
    operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: DeadlineRace<Value>.self) { group in
        group.addTask { .finished(try await operation()) }
        group.addTask {
            try await Task.sleep(for: timeout)
            return .deadlinePassed
        }
        defer { group.cancelAll() }
        switch try await group.next() {
        case .finished(let value):
            return value
        case .deadlinePassed, nil:
            throw ResultStoreError.unavailable("\(what) did not finish within \(timeout)")
        }
    }
}

/// Which side of ``withDeadline(_:_:operation:)`` finished first.
private enum DeadlineRace<Value: Sendable>: Sendable {
    case finished(Value)
    case deadlinePassed
}
