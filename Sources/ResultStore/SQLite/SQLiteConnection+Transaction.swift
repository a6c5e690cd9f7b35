import SQLiteNIO

extension SQLiteConnection {
    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    ///
    /// `IMMEDIATE` takes the write lock up front, so two processes migrating or writing at once queue on the busy
    /// timeout instead of one failing with a lock upgrade conflict halfway through.
    ///
    /// - Important: The caller must hold the connection alone (see ``SQLiteConnectionGate``) for the whole call.
    func inTransaction<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        _ = try await self.query("BEGIN IMMEDIATE")
        do {
            let value = try await body()
            _ = try await self.query("COMMIT")
            return value
        } catch {
            _ = try? await self.query("ROLLBACK")
            throw error
        }
    }

    /// The number of rows this connection has inserted, changed or deleted since it was opened.
    func totalChanges() async throws -> Int {
        try await self.query("SELECT total_changes() AS changes").first?.column("changes")?.integer ?? 0
    }
}
