import Logging

/// Runs `body` with a running, migrated store for `url`, and releases the database when `body` returns or throws.
///
/// For short-lived users such as the CLI's status look-up; long-running services add the store to their
/// `ServiceGroup` instead.
public func withResultStore<Result: Sendable>(
    url: String,
    logger: Logger,
    _ body: (any ResultStore) async throws -> Result
) async throws -> Result {
    try await withRunningResultStore(try makeResultStore(url: url, logger: logger)) { store in
        try await store.migrate()
        return try await body(store)
    }
}

/// Runs `body` while `store.run()` runs in a child task, then cancels that task and waits for it.
public func withRunningResultStore<Store: ResultStore, Result: Sendable>(
    _ store: Store,
    _ body: (Store) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await store.run() }
        defer { group.cancelAll() }
        return try await body(store)
    }
}
