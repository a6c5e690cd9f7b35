import AsyncHTTPClient
import Foundation
import Synchronization

/// An MLServer of a test's own (Seldon's Open Inference Protocol server, from PyPI), serving scikit-learn models
/// from a temporary directory on free loopback ports, so that no test depends on a server that happens to run.
///
/// It runs with `parallel_workers: 0` (the worker pool does not start with the current uvloop), gRPC on a free port
/// of its own and no metrics server. ``stop()`` and ``start()`` take it down and bring it back on the same port, for
/// outage tests. Prefer ``withMLServer(python:models:_:)``, which always stops it and deletes its directory.
public final class MLServer: Sendable {
    /// One model directory: a `model-settings.json` and the joblib file, plus any Python files it needs.
    public struct Model: Sendable {
        public var name: String
        public var version: String
        /// `mlserver_sklearn.SKLearnModel`, or `module.Class` of a Python file in ``files``.
        public var implementation: String
        /// The fitted model, copied into the directory as `model.joblib`.
        public var joblib: String
        /// Extra top-level settings as JSON members, e.g. `"inputs": [...]`; empty for none.
        public var extraSettings: String
        /// More files to write into the model's directory, by name (a custom runtime's module).
        public var files: [String: String]

        public init(name: String, version: String, implementation: String = "mlserver_sklearn.SKLearnModel", joblib: String, extraSettings: String = "", files: [String: String] = [:]) {
            self.name = name
            self.version = version
            self.implementation = implementation
            self.joblib = joblib
            self.extraSettings = extraSettings
            self.files = files
        }
    }

    /// `http://127.0.0.1:<port>`; a model's URL is `\(url)/v2/models/NAME`.
    public let url: String
    /// The temporary directory: `settings.json` and one directory per model.
    public let directory: String
    private let python: String
    private let process = Mutex<ChildProcess?>(nil)

    private init(python: String, directory: String, port: Int) {
        self.python = python
        self.directory = directory
        self.url = "http://127.0.0.1:\(port)"
    }

    /// Writes the models' directories and starts the server; returns once every model is ready.
    public static func launch(python: String, models: [Model]) async throws -> MLServer {
        let directory = NSTemporaryDirectory() + "/" + uniqueName("kinfer-mlserver")
        let server = MLServer(python: python, directory: directory, port: try freeLoopbackPort())
        do {
            try server.writeSettings(models, grpcPort: try freeLoopbackPort())
            try await server.start()
        } catch {
            await server.destroy()
            throw error
        }
        return server
    }

    /// Starts the server and waits (up to two minutes: it imports scikit-learn and loads every model) until
    /// `/v2/health/ready` answers 200.
    public func start() async throws {
        let mlserver = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("mlserver").path
        let child = try ChildProcess.launch(mlserver, ["start", directory], currentDirectory: directory)
        process.withLock { $0 = child }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        while !(await isReady()) {
            if let termination = child.termination {
                throw ChildProcessError(description: "mlserver \(termination) before it was ready:\n\(child.standardErrorText.suffix(3_000))")
            }
            guard clock.now < deadline else {
                await child.stop()
                throw ChildProcessError(description: "mlserver not ready within 120 s:\n\(child.standardErrorText.suffix(3_000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops the server as an operator would (`SIGTERM`, then `SIGKILL` after 10 s); returns once it has exited.
    public func stop() async {
        guard let child = process.withLock({ $0 }) else { return }
        await child.stop(grace: .seconds(10))
        process.withLock { $0 = nil }
    }

    /// Stops the server if it runs, and deletes its directory.
    public func destroy() async {
        await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the server printed since its last start: for failure messages.
    public var log: String { process.withLock { $0 }?.standardErrorText ?? "" }

    private func isReady() async -> Bool {
        let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(url)/v2/health/ready"), timeout: .seconds(2))
        return response?.status == .ok
    }

    private func writeSettings(_ models: [Model], grpcPort: Int) throws {
        let port = URL(string: url)!.port!
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
            {"host": "127.0.0.1", "http_port": \(port), "grpc_port": \(grpcPort), "parallel_workers": 0,
             "metrics_endpoint": null, "debug": false}
            """.write(toFile: "\(directory)/settings.json", atomically: true, encoding: .utf8)
        for model in models {
            let modelDirectory = "\(directory)/\(model.name)"
            try FileManager.default.createDirectory(atPath: modelDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: model.joblib, toPath: "\(modelDirectory)/model.joblib")
            let extra = model.extraSettings.isEmpty ? "" : ", \(model.extraSettings)"
            try """
                {"name": "\(model.name)", "implementation": "\(model.implementation)",
                 "parameters": {"uri": "./model.joblib", "version": "\(model.version)"}\(extra)}
                """.write(toFile: "\(modelDirectory)/model-settings.json", atomically: true, encoding: .utf8)
            for (name, contents) in model.files {
                try contents.write(toFile: "\(modelDirectory)/\(name)", atomically: true, encoding: .utf8)
            }
        }
    }
}

/// Runs `body` with a freshly launched ``MLServer`` and destroys it afterwards, even when `body` throws.
public func withMLServer<Result>(python: String, models: [MLServer.Model], _ body: (MLServer) async throws -> Result) async throws -> Result {
    let server = try await MLServer.launch(python: python, models: models)
    do {
        let result = try await body(server)
        await server.destroy()
        return result
    } catch {
        await server.destroy()
        throw error
    }
}

/// The repository's Python (`KINFER_PYTHON`, else `.venv/bin/python`), checked to import `modules`.
///
/// Throws, rather than skipping, when it is missing: CI runs `scripts/test`, which installs every module the tests
/// import, so a missing one is a broken setup that must fail loudly.
public func kinferPython(importing modules: [String]) async throws -> String {
    let environment = ProcessInfo.processInfo.environment
    let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
    let candidate = environment["KINFER_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(repositoryRoot)/.venv/bin/python"
    guard let python = ChildProcess.findExecutable(candidate) else {
        throw ChildProcessError(description: "no Python at \(candidate) (KINFER_PYTHON or the repository's .venv): run scripts/test, which makes the .venv and installs \(modules.joined(separator: ", "))")
    }
    let probe = try await ChildProcess.run(python, ["-c", "import " + modules.joined(separator: ", ")], timeout: .seconds(60))
    guard probe.succeeded else {
        throw ChildProcessError(description: "\(python) cannot import \(modules.joined(separator: ", ")): \(probe). Run scripts/test, which installs them into .venv")
    }
    return python
}
