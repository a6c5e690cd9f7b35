import Foundation
import InferenceModels
import InferenceWorker
import Logging
import OpenInferenceModels

/// What `kinfer worker` runs with, read and checked from ``KinferSettings``.
struct WorkerSettings: Sendable {
    var group: String
    /// The metrics and health server's port; `0` when it is off.
    var httpPort: Int
    var modelName: String
    /// The model server's model, when `--model-url` is set; it replaces `modelName`'s built-in model.
    var modelServer: OpenInferenceModel.Configuration?
    var worker: WorkerConfiguration
    var simulatedLatency: Duration
    var simulatedFailureRate: Double

    static let modelNames = ["digits", "simulated"]

    init(_ settings: KinferSettings) throws(CLIError) {
        group = settings.group(defaultingTo: KinferSettings.workerGroup)
        httpPort = try settings.int(.httpPort)
        guard httpPort <= 65_535 else { throw CLIError("the HTTP port must be from 0 (off) to 65535, not \(httpPort)", hint: "fix --http-port or KINFER_HTTP_PORT") }
        modelName = settings.string(.model)!
        guard Self.modelNames.contains(modelName) else {
            throw CLIError("unknown model '\(modelName)'", hint: "use --model digits or --model simulated")
        }
        if let url = settings.string(.modelURL), !url.isEmpty {
            let timeout = try settings.int(.modelTimeoutMs, minimum: 1)
            let concurrency = try settings.int(.modelMaxConcurrency, minimum: 1)
            do {
                var modelServer = try OpenInferenceModel.Configuration(url: url)
                modelServer.requestTimeout = .milliseconds(timeout)
                modelServer.maxConcurrentRequests = concurrency
                modelServer.maxConnections = concurrency
                self.modelServer = modelServer
            } catch {
                throw CLIError(error.message, hint: "fix --model-url or KINFER_MODEL_URL, e.g. http://127.0.0.1:8080/v2/models/digits")
            }
        }
        let name = settings.string(.workerName) ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        var worker = WorkerConfiguration(workerName: name)
        worker.topics = settings.topics
        worker.maxBatchSize = try settings.int(.maxBatchSize, minimum: 1)
        worker.maxBatchDelay = .milliseconds(try settings.int(.maxBatchDelayMs))
        worker.maxInFlight = try settings.int(.maxInFlight, minimum: 1)
        worker.maxConcurrentBatches = try settings.int(.maxConcurrentBatches, minimum: 1)
        worker.maxAttempts = try settings.int(.maxAttempts, minimum: 1)
        worker.retryBaseDelay = .milliseconds(try settings.int(.retryBaseDelayMs, minimum: 1))
        worker.retryMaxDelay = .milliseconds(try settings.int(.retryMaxDelayMs, minimum: 1))
        guard worker.retryMaxDelay >= worker.retryBaseDelay else {
            throw CLIError(
                "the longest retry delay (\(settings.source(of: .retryMaxDelayMs))) is shorter than the first (\(settings.source(of: .retryBaseDelayMs)))",
                hint: "make --retry-max-delay-ms at least --retry-base-delay-ms"
            )
        }
        worker.commitInterval = .milliseconds(try settings.int(.commitIntervalMs, minimum: 1))
        worker.gracePeriod = .seconds(try settings.int(.gracePeriodSeconds))
        self.worker = worker
        simulatedLatency = .milliseconds(try settings.int(.simulatedLatencyMs))
        simulatedFailureRate = try settings.double(.simulatedFailureRate, in: 0...1)
    }

    /// Runs `body` with the catalog of the one model this worker serves: the model server's model once it is ready
    /// (its connections closed when `body` returns or throws; also passed on its own, for readiness checks), else the
    /// built-in `--model` (and `nil`).
    func withModels(logger: Logger, _ body: (ModelCatalog, OpenInferenceModel?) async throws -> Void) async throws {
        guard let modelServer else {
            return try await body(try builtInModels(), nil)
        }
        do {
            try await OpenInferenceModel.withModel(modelServer, logger: logger) { try await body(ModelCatalog([$0]), $0) }
        } catch let error as OpenInferenceError {  // only connecting throws these: the worker handles model failures
            throw CLIError("cannot use the model at \(redactedURL(modelServer.endpoint.url)): \(error)", hint: "start the model server, or check --model-url")
        }
    }

    private func builtInModels() throws(CLIError) -> ModelCatalog {
        switch modelName {
        case "simulated":
            let model = SimulatedModel(configuration: .init(
                batchLatency: simulatedLatency, failureRate: simulatedFailureRate, seed: UInt64(truncatingIfNeeded: getpid())
            ))
            return ModelCatalog([model])
        default:
            do {
                return ModelCatalog([try DigitsClassifier()])
            } catch {
                throw CLIError("cannot load the digits model: \(error)", hint: "reinstall kinfer; its model resources are missing or damaged")
            }
        }
    }
}
