/// Runs `service` (a service's `run`) while `body` runs, then cancels it and waits for it to end; a failure of the
/// service after the cancellation is the test's failure too.
public func whileRunning<R>(_ service: @escaping @Sendable () async throws -> Void, _ body: () async throws -> R) async throws -> R {
    let task = Task { try await service() }
    do {
        let value = try await body()
        task.cancel()
        try await task.value
        return value
    } catch {
        task.cancel()
        _ = try? await task.value
        throw error
    }
}
