import ArgumentParser
import Foundation
import KinferApp
import Logging
import ResultStore

extension Kinfer {
    /// `kinfer status JOB_ID`: a job's result from the results store.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a job's result from the results database (exit 1 when it has none).",
            discussion: "The database is the one `kinfer sink` writes: --database sqlite:///path/results.db or postgres://user:password@host:5432/db."
        )

        @Argument(help: "The job ID, as printed by `kinfer submit`.")
        var jobID: String

        @Option(help: ArgumentHelp(
            "The results database URL: sqlite:///path, sqlite://relative/path or postgres://user:password@host:port/db. Defaults to sqlite://./kinfer-results.db; also KINFER_DATABASE_URL.",
            valueName: "url"
        ))
        var database: String?

        @Option(name: .customLong("config"), help: ArgumentHelp("A JSON config file (see `kinfer --help`). Also KINFER_CONFIG.", valueName: "path"))
        var configPath: String?

        @Flag(help: "Print the result as the contract's JSON.")
        var json = false

        func validate() throws {
            guard !jobID.isEmpty else { throw ValidationError("the job ID must not be empty") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            flags.set(.databaseURL, database)
            let settings = try KinferSettings.load(flags: flags, configPath: configPath, environment: ProcessInfo.processInfo.environment)
            CLILogging.bootstrap(level: .critical)
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
            let found: StoredResult?
            do {
                found = try await withRunningResultStore(store) { store in try await store.result(for: jobID) }
            } catch let error as ResultStoreError {
                throw CLIError("cannot read the results database \(shown): \(error.message)", hint: Self.hint(for: error))
            }
            guard let found else {
                Terminal.output("\(jobID): not found")
                throw ExitCode.failure
            }
            Terminal.output(json ? ResultText.json(found.result) : ResultText.line(found.result))
        }

        private static func hint(for error: ResultStoreError) -> String {
            switch error.code {
            case .unavailable: "check that the database is running and reachable, and the URL's host, port and credentials"
            case .rejected: "check that `kinfer sink` has created the results table in this database"
            default: "check --database or KINFER_DATABASE_URL"
            }
        }
    }
}
