import Foundation
import KinferTestSupport

/// The built `kinfer` executable: `KINFER_BIN` when set, else `.build/debug/kinfer` of this package.
enum KinferBinary {
    static let path: String = {
        if let path = ProcessInfo.processInfo.environment["KINFER_BIN"], !path.isEmpty { return path }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent(".build/debug/kinfer").path
            }
            directory.deleteLastPathComponent()
        }
        return ".build/debug/kinfer"
    }()

    /// Runs `kinfer arguments...` to completion. The child sees no `KINFER_*` variables of this process except
    /// `extra`, so the developer's own settings never leak into a test.
    static func run(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        input: Data? = nil,
        currentDirectory: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ChildProcessResult {
        try await ChildProcess.run(
            path, arguments, environment: environment(extra), currentDirectory: currentDirectory, input: input, timeout: timeout
        )
    }

    /// Starts a long-running `kinfer` command (broker, worker).
    static func launch(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess.launch(path, arguments, environment: environment(extra))
    }

    /// This process's environment with every `KINFER_*` variable emptied (kinfer treats empty as unset), plus `extra`.
    private static func environment(_ extra: [String: String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("KINFER_") { environment[name] = "" }
        return environment.merging(extra) { _, new in new }
    }
}

extension ChildProcessResult {
    /// Standard error's non-empty lines.
    var errorLines: [Substring] {
        standardErrorText.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    var outputLines: [Substring] {
        standardOutputText.split(separator: "\n")
    }
}
