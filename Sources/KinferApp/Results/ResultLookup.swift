import Foundation
import InferenceJobs
import ResultStore

/// `kinfer status`: one job's result from the results database the sink writes.
public enum ResultLookup {
    /// The job's result, or `nil` when the database has none; a missing SQLite file, a bad URL or an unreachable
    /// database is a ``CLIError`` naming the database (password masked).
    public static func result(of jobID: String, settings: KinferSettings) async throws -> JobResult? {
        let url = settings.string(.databaseURL)!
        let shown = redactedURL(url)
        if case .sqlite(let path)? = try? ResultStoreURL(url), !FileManager.default.fileExists(atPath: path) {
            throw CLIError("no results database at \(path)", hint: "run `kinfer sink` to create it, or point --database / KINFER_DATABASE_URL at the sink's database")
        }
        let store: any ResultStore
        do {
            store = try makeResultStore(url: url, logger: CLILogging.silent)
        } catch let error as ResultStoreError {
            throw CLIError("bad results database URL \(shown): \(error.message)", hint: "use sqlite:///path/to/results.db or postgres://user:password@host:5432/db")
        }
        do {
            return try await withRunningResultStore(store) { store in try await store.result(for: jobID) }?.result
        } catch let error as ResultStoreError {
            throw CLIError("cannot read the results database \(shown): \(error.message)", hint: hint(for: error))
        }
    }

    private static func hint(for error: ResultStoreError) -> String {
        switch error.code {
        case .unavailable: "check that the database is running and reachable, and the URL's host, port and credentials"
        case .rejected: "check that `kinfer sink` has created the results table in this database"
        default: "check --database or KINFER_DATABASE_URL"
        }
    }
}
