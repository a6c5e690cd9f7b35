import ResultStore
import Testing

@Suite("Results store URLs")
struct ResultStoreURLTests {
    @Test func readsAPostgresURL() throws {
        guard case .postgres(let configuration) = try ResultStoreURL("postgres://sink:s%40cret@db.example:6543/results?sslmode=disable") else {
            Issue.record("not read as PostgreSQL")
            return
        }
        #expect(configuration.client.host == "db.example")
        #expect(configuration.client.port == 6543)
        #expect(configuration.client.username == "sink")
        #expect(configuration.client.password == "s@cret")
        #expect(configuration.client.database == "results")
        #expect(configuration.operationTimeout == .seconds(5))
    }

    @Test func defaultsThePortAndDatabase() throws {
        guard case .postgres(let configuration) = try ResultStoreURL("postgresql://sink@localhost") else {
            Issue.record("not read as PostgreSQL")
            return
        }
        #expect(configuration.client.port == 5432)
        #expect(configuration.client.database == nil)
        #expect(configuration.client.password == nil)
    }

    @Test(arguments: [
        ("sqlite:///var/lib/kinfer/results.db", "/var/lib/kinfer/results.db"),
        ("sqlite://results.db", "results.db"),
        ("sqlite:results.db", "results.db"),
        ("/var/lib/kinfer/results.db", "/var/lib/kinfer/results.db"),
        ("results.db", "results.db"),
    ])
    func readsSQLiteLocations(url: String, path: String) throws {
        guard case .sqlite(let parsed) = try ResultStoreURL(url) else {
            Issue.record("\(url) not read as SQLite")
            return
        }
        #expect(parsed == path)
    }

    @Test(arguments: [
        "mysql://user@host/db",
        "postgres://user:secret@/db",
        "postgres://host-but-no-user/db",
        "postgres://user:secret@host/db?sslmode=verify-full",
        "sqlite://",
        "",
    ])
    func rejectsWhatItCannotUse(url: String) {
        let error = #expect(throws: ResultStoreError.self) { try ResultStoreURL(url) }
        #expect(error?.code == .invalidURL)
        #expect(error?.isRetryable == false)
        #expect(error?.message.contains("secret") == false)
    }
}
