import Foundation

/// Where a store lives, parsed from the URL an operator gives.
///
/// - `postgres://user:password@host:port/database` (or `postgresql://`), with optional `sslmode`
///   (`disable`, `prefer`, `require`; defaults to `prefer`) and `connect_timeout` (seconds) as in libpq.
/// - `sqlite://path/to/file.db`, where the path follows `sqlite://`, so `sqlite:///var/lib/kinfer/results.db` is
///   absolute; `sqlite:file.db`; or a plain file path.
public enum ResultStoreURL: Sendable {
    case postgres(PostgresResultStore.Configuration)
    case sqlite(path: String)

    /// Parses `url`.
    ///
    /// - Throws: ``ResultStoreError`` with code ``ResultStoreError/Code-swift.struct/invalidURL`` for any other
    ///   scheme, or a URL that is malformed. The message never repeats a password.
    public init(_ url: String) throws {
        guard let schemeEnd = url.range(of: ":") else {
            self = try .sqlite(path: Self.sqlitePath(url))
            return
        }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "postgres", "postgresql":
            self = .postgres(try PostgresResultStore.Configuration(url: url))
        case "sqlite":
            var path = url[schemeEnd.upperBound...]
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            self = try .sqlite(path: Self.sqlitePath(String(path)))
        case let scheme where url[schemeEnd.upperBound...].hasPrefix("//"):
            throw ResultStoreError.invalidURL(
                "unsupported results store scheme '\(scheme)://'; use postgres://, sqlite:// or a file path"
            )
        default:
            self = try .sqlite(path: Self.sqlitePath(url))
        }
    }

    private static func sqlitePath(_ path: String) throws -> String {
        guard !path.isEmpty else {
            throw ResultStoreError.invalidURL("the SQLite results store needs a file path, e.g. sqlite:///var/lib/kinfer/results.db")
        }
        return path
    }
}
