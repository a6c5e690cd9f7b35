import Logging
import NIOCore
import SQLiteNIO

/// Owns the SQLite store's one connection: opens it on first use, lets one operation at a time use it, and
/// closes it for good.
///
/// One operation at a time is what makes a multi-statement transaction safe on a shared connection: another
/// caller's statement can never land between this caller's `BEGIN` and `COMMIT`. SQLite allows only one writer per
/// file anyway, so this costs no write throughput.
actor SQLiteConnectionGate {
    private let path: String
    private let logger: Logger
    private var connection: SQLiteConnection?
    private var isClosed = false
    private var isBusy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Runs `body` with the connection once every earlier operation has finished.
    ///
    /// - Throws: ``ResultStoreError/Code-swift.struct/unavailable`` once closed or when the file cannot be opened,
    ///   otherwise whatever `body` throws.
    func withConnection<Value: Sendable>(
        _ body: @Sendable (SQLiteConnection) async throws -> Value
    ) async throws -> Value {
        await self.acquire()
        defer { self.release() }
        return try await body(try await self.openConnection())
    }

    /// Waits for the operation in progress, then closes the connection; later operations fail.
    func close() async {
        await self.acquire()
        defer { self.release() }
        self.isClosed = true
        guard let connection = self.connection else { return }
        self.connection = nil
        // The future-based `close()`: the async one gives up when the calling task is cancelled, and `run()`
        // usually closes the store because its task was cancelled.
        let closed: EventLoopFuture<Void> = connection.close()
        do {
            try await closed.get()
        } catch {
            self.logger.warning("closing the SQLite results store failed", metadata: ["error": "\(error)"])
        }
    }

    private func acquire() async {
        guard self.isBusy else {
            self.isBusy = true
            return
        }
        await withCheckedContinuation { self.waiters.append($0) }
    }

    /// Hands the connection straight to the longest waiter, or marks it free.
    private func release() {
        if self.waiters.isEmpty {
            self.isBusy = false
        } else {
            self.waiters.removeFirst().resume()
        }
    }

    /// The open connection, opening and configuring it first if needed.
    ///
    /// `synchronous=FULL`: in WAL mode `NORMAL` may lose the last commits on power failure, and the sink commits
    /// Kafka offsets right after the database commit, so a lost commit would be a lost result. `FULL` costs one
    /// sync per batch, not per row.
    private func openConnection() async throws -> SQLiteConnection {
        guard !self.isClosed else {
            throw ResultStoreError.unavailable("the SQLite results store at \(self.path) is closed")
        }
        if let connection = self.connection { return connection }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: self.path), logger: self.logger)
        } catch {
            throw ResultStoreError(sqlite: error, during: "opening \(self.path)")
        }
        do {
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = FULL")
            _ = try await connection.query("PRAGMA busy_timeout = \(SQLiteResultStore.busyTimeoutMilliseconds)")
        } catch {
            let closed: EventLoopFuture<Void> = connection.close()
            try? await closed.get()
            throw ResultStoreError(sqlite: error, during: "configuring \(self.path)")
        }
        self.connection = connection
        return connection
    }
}
