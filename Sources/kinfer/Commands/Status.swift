import ArgumentParser
import Foundation
import KinferApp

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
            guard let result = try await ResultLookup.result(of: jobID, settings: settings) else {
                Terminal.output("\(jobID): not found")
                throw ExitCode.failure
            }
            Terminal.output(json ? ResultText.json(result) : ResultText.line(result))
        }
    }
}
