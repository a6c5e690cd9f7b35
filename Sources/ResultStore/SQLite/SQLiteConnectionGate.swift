import Logging
import NIOCore
import SQLiteNIO
import Synchronization

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
    /// Callers of ``inSharedTransaction(_:)`` waiting for the next shared transaction.
    private var shared: [any SharedTransactionParticipant] = []
    /// Whether one of them is already waiting for the connection on behalf of the rest.
    private var sharedLeaderWaiting = false

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

    /// Runs `body` in a write transaction shared with every other caller of this method that arrives while the
    /// connection is busy: group commit. Each `body` runs in a savepoint of its own, so one that throws undoes only
    /// its own statements and fails only its caller; all the others are made durable by one `COMMIT` (with
    /// `synchronous=FULL`, one sync), and each caller's value is returned only after it.
    ///
    /// For the gateway's small per-request writes (an idempotency claim, an accepted job), which on one connection
    /// would otherwise each wait for a sync of their own, one after the other.
    ///
    /// - Throws: What `body` throws, or the error of `BEGIN`/`COMMIT` (then every caller of the group gets it).
    func inSharedTransaction<Value: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) async throws -> Value
    ) async throws -> Value {
        let member = SharedTransactionMember(body)
        self.shared.append(member)
        guard !self.sharedLeaderWaiting else { return try await member.outcome() }
        // Leader: wait for the connection, taking along everyone who arrives meanwhile.
        self.sharedLeaderWaiting = true
        await self.acquire()
        defer { self.release() }
        let group = self.shared
        self.shared = []
        self.sharedLeaderWaiting = false
        do {
            let connection = try await self.openConnection()
            try await connection.inTransaction {
                for (index, member) in group.enumerated() { await member.run(on: connection, savepoint: "kinfer_\(index)") }
            }
            for member in group { member.finish() }
        } catch {
            for member in group { member.fail(error) }
        }
        return try await member.outcome()
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

    /// `PRAGMA journal_mode = WAL`, retried while the file is locked. Switching a new file to WAL needs an exclusive
    /// lock, and SQLite answers `SQLITE_BUSY` at once, without its busy handler, when another connection (another
    /// store or process opening the same new file) holds one meanwhile. Retried every 20 ms, for as long as the
    /// busy timeout.
    private static func switchToWAL(_ connection: SQLiteConnection) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(SQLiteResultStore.busyTimeoutMilliseconds))
        while true {
            do {
                _ = try await connection.query("PRAGMA journal_mode = WAL")
                return
            } catch let error as SQLiteError where error.reason == .busy && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
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
            _ = try await connection.query("PRAGMA busy_timeout = \(SQLiteResultStore.busyTimeoutMilliseconds)")
            try await Self.switchToWAL(connection)
            _ = try await connection.query("PRAGMA synchronous = FULL")
        } catch {
            let closed: EventLoopFuture<Void> = connection.close()
            try? await closed.get()
            throw ResultStoreError(sqlite: error, during: "configuring \(self.path)")
        }
        self.connection = connection
        return connection
    }
}

/// One caller's part in a shared transaction, whatever its value type.
private protocol SharedTransactionParticipant: Sendable {
    /// Runs the caller's body inside `SAVEPOINT savepoint`, keeping its value or error.
    func run(on connection: SQLiteConnection, savepoint: String) async
    /// After `COMMIT`: hands the caller its value or its own error.
    func finish()
    /// `BEGIN` or `COMMIT` failed: the caller gets `error` whatever its body did.
    func fail(_ error: any Error)
}

/// A caller of ``SQLiteConnectionGate/inSharedTransaction(_:)``: its body, what the body gave, and the caller waiting.
private final class SharedTransactionMember<Value: Sendable>: SharedTransactionParticipant {
    private struct State {
        var result: Result<Value, any Error>?
        var settled: Result<Value, any Error>?
        var waiter: CheckedContinuation<Value, any Error>?
    }

    private let body: @Sendable (SQLiteConnection) async throws -> Value
    private let state = Mutex(State())

    init(_ body: @escaping @Sendable (SQLiteConnection) async throws -> Value) {
        self.body = body
    }

    func run(on connection: SQLiteConnection, savepoint: String) async {
        let result: Result<Value, any Error>
        do {
            _ = try await connection.query("SAVEPOINT \(savepoint)")
            do {
                result = .success(try await body(connection))
                _ = try await connection.query("RELEASE \(savepoint)")
            } catch {
                _ = try await connection.query("ROLLBACK TO \(savepoint)")
                _ = try await connection.query("RELEASE \(savepoint)")
                throw error
            }
        } catch {
            state.withLock { $0.result = .failure(error) }
            return
        }
        state.withLock { $0.result = result }
    }

    func finish() {
        settle { $0.result ?? .failure(ResultStoreError.unavailable("the shared transaction ended before this write ran")) }
    }

    func fail(_ error: any Error) {
        settle { _ in .failure(error) }
    }

    private func settle(_ outcome: (State) -> Result<Value, any Error>) {
        let waiter = state.withLock { state -> (CheckedContinuation<Value, any Error>, Result<Value, any Error>)? in
            let settled = outcome(state)
            state.settled = settled
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, settled)
        }
        if let (continuation, settled) = waiter { continuation.resume(with: settled) }
    }

    /// The caller's value, once the shared transaction has settled it.
    func outcome() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let settled = state.withLock { state -> Result<Value, any Error>? in
                if let settled = state.settled { return settled }
                state.waiter = continuation
                return nil
            }
            if let settled { continuation.resume(with: settled) }
        }
    }
}
