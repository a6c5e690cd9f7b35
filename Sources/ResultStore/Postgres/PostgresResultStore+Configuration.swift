import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// How to reach the database, and how long to wait for it.
    public struct Configuration: Sendable {
        /// The connection pool's settings: server, credentials, TLS, pool size.
        public var client: PostgresClient.Configuration

        /// How long one store operation may take, waiting for a connection included, before it fails with a
        /// retryable ``ResultStoreError``. Also sent to the server as `statement_timeout`, so that a statement the
        /// store gave up on does not keep running. Defaults to `5` seconds.
        public var operationTimeout: Duration = .seconds(5)

        public init(client: PostgresClient.Configuration) {
            self.client = client
        }

        /// Reads `postgres://user:password@host:port/database?sslmode=…&connect_timeout=…`.
        ///
        /// The port defaults to `5432`, the database to the user's name, `sslmode` to `prefer` (TLS when the
        /// server offers it).
        ///
        /// - Throws: ``ResultStoreError`` with code ``ResultStoreError/Code-swift.struct/invalidURL``; its message
        ///   never repeats the password.
        public init(url: String) throws {
            guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
                throw ResultStoreError.invalidURL("a PostgreSQL results store URL looks like postgres://user:password@host:5432/database")
            }
            guard let user = components.user, !user.isEmpty else {
                throw ResultStoreError.invalidURL("the PostgreSQL URL names no user; use postgres://user@\(host)/…")
            }
            let database = String(components.path.drop { $0 == "/" })
            var tls = PostgresClient.Configuration.TLS.prefer(.makeClientConfiguration())
            var connectTimeout: Duration?
            for item in components.queryItems ?? [] {
                switch (item.name, item.value) {
                case ("sslmode", "disable"): tls = .disable
                case ("sslmode", "prefer"): tls = .prefer(.makeClientConfiguration())
                case ("sslmode", "require"): tls = .require(.makeClientConfiguration())
                case ("connect_timeout", let value?) where Int(value).map({ $0 > 0 }) == true:
                    connectTimeout = .seconds(Int(value)!)
                default:
                    throw ResultStoreError.invalidURL(
                        "unsupported PostgreSQL URL parameter '\(item.name)=\(item.value ?? "")'; "
                            + "supported: sslmode=disable|prefer|require, connect_timeout=<seconds>"
                    )
                }
            }
            self.client = PostgresClient.Configuration(
                host: host,
                port: components.port ?? 5432,
                username: user,
                password: components.password,
                database: database.isEmpty ? nil : database,
                tls: tls
            )
            if let connectTimeout {
                self.client.options.connectTimeout = connectTimeout
            }
        }
    }
}
