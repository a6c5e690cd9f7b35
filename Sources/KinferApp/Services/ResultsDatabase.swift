import Logging
import ResultStore

/// The results database as the sink and the gateway open and use it, with the errors they both report.
enum ResultsDatabase {
    /// The store at `url`, or a ``CLIError`` saying which URLs are accepted.
    static func admissionStore(url: String, logger: Logger) throws -> any JobAdmissionStore {
        do {
            return try makeJobAdmissionStore(url: url, logger: logger)
        } catch let error as ResultStoreError {
            throw CLIError("bad results database URL \(redactedURL(url)): \(error.message)", hint: "use sqlite:///path/to/results.db or postgres://user:password@host:5432/db")
        }
    }

    /// Runs `body` (a service group that uses the store), reporting a database failure as a ``CLIError``.
    static func reportingFailures(of url: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ResultStoreError {
            throw CLIError("results database \(redactedURL(url)): \(error.message)", hint: "check --database or KINFER_DATABASE_URL, and that the database is reachable")
        }
    }
}
