import PostgresNIO

extension ResultStoreError {
    /// Classifies an error from postgres-nio: anything about reaching the server, or a server error that a later
    /// attempt may not meet, is ``Code-swift.struct/unavailable``; other server errors are
    /// ``Code-swift.struct/rejected``.
    init(postgres error: any Error, during operation: String) {
        switch error {
        case let error as ResultStoreError:
            self = error
        case let error as PSQLError where error.code == .server:
            let sqlState = error.serverInfo?[.sqlState] ?? "?????"
            let message = "\(operation) failed: \(error.serverInfo?[.message] ?? "server error") (SQLSTATE \(sqlState))"
            self = Self.isTransient(sqlState: sqlState) ? .unavailable(message) : .rejected(message)
        case let error as PSQLError:
            let cause = error.underlying.map { ": \($0)" } ?? ""
            self = .unavailable("\(operation) failed: \(error.code)\(cause)")
        case let error as PostgresDecodingError:
            self = .corruptRow("\(operation) read a column it cannot decode: \(error.code)")
        default:
            self = .unavailable("\(operation) failed: \(error)")
        }
    }

    /// SQLSTATE classes that describe the server's state rather than the statement: connection exceptions (08),
    /// transaction rollbacks such as deadlocks (40), insufficient resources (53), operator intervention such as a
    /// shutdown or `statement_timeout` (57), and system errors (58).
    private static func isTransient(sqlState: String) -> Bool {
        ["08", "40", "53", "57", "58"].contains(sqlState.prefix(2))
    }
}
