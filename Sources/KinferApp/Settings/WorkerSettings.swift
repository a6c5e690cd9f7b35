import ChatCompletionModels
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
    /// The built-in models to serve, the first being the default; `--model digits,generator` serves two.
    var modelNames: [String]
    /// The model server's model, when `--model-url` is an Open Inference URL; it replaces `modelName`'s built-in model.
    var modelServer: OpenInferenceModel.Configuration?
    /// The OpenAI-compatible server's model, when `--model-url` ends in `/chat/completions`; it replaces `modelName`'s
    /// built-in model.
    var chatServer: ChatCompletionModel.Configuration?
    var worker: WorkerConfiguration
    var simulatedLatency: Duration
    var simulatedFailureRate: Double
    var tokenInterval: Duration
    var tokenCount: Int

    static let modelNames = ["digits", "simulated", "generator"]

    init(_ settings: KinferSettings) throws(CLIError) {
        group = settings.group(defaultingTo: KinferSettings.workerGroup)
        httpPort = try settings.operationsPort()
        modelNames = settings.string(.model)!.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in modelNames where !Self.modelNames.contains(name) {
            throw CLIError("unknown model '\(name)'", hint: "use --model with digits, simulated or generator, comma-separated")
        }
        guard !modelNames.isEmpty, Set(modelNames).count == modelNames.count else {
            throw CLIError("--model needs distinct model names, got '\(settings.string(.model)!)'", hint: "e.g. --model digits,generator")
        }
        (modelServer, chatServer) = try Self.modelServers(settings)
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
        tokenInterval = .milliseconds(try settings.int(.tokenIntervalMs))
        tokenCount = try settings.int(.tokenCount, minimum: 1)
    }

    /// `--model-url`: a chat-completions URL selects the OpenAI-compatible client (with `--model-name` and
    /// `KINFER_MODEL_API_KEY`), any other the Open Inference client. A served model or API key that no URL would use
    /// is refused rather than silently dropped.
    private static func modelServers(
        _ settings: KinferSettings
    ) throws(CLIError) -> (OpenInferenceModel.Configuration?, ChatCompletionModel.Configuration?) {
        let servedModel = settings.string(.modelName).flatMap { $0.isEmpty ? nil : $0 }
        let apiKey = settings.string(.modelAPIKey).flatMap { $0.isEmpty ? nil : $0 }
        guard let url = settings.string(.modelURL), !url.isEmpty else {
            if servedModel != nil {
                throw CLIError("\(settings.source(of: .modelName)) needs an OpenAI-compatible --model-url", hint: "add --model-url http://HOST:PORT/v1/chat/completions, or drop the served model's name")
            }
            if apiKey != nil {
                throw CLIError("\(settings.source(of: .modelAPIKey)) is set but no --model-url would use it", hint: "add --model-url http://HOST:PORT/v1/chat/completions, or unset the key")
            }
            return (nil, nil)
        }
        let timeout = try settings.int(.modelTimeoutMs, minimum: 1)
        let concurrency = try settings.int(.modelMaxConcurrency, minimum: 1)
        if ChatCompletionEndpoint.isChatCompletionsURL(url) {
            var options = ChatCompletionModel.Options()
            options.servedModel = servedModel
            options.requestTimeout = .milliseconds(timeout)
            options.maxConcurrentRequests = concurrency
            options.apiKey = apiKey.map(APIKey.init)
            do {
                return (nil, try ChatCompletionModel.Configuration(url: url, options: options))
            } catch {
                throw CLIError(error.message, hint: "fix --model-url or KINFER_MODEL_URL, e.g. http://127.0.0.1:8000/v1/chat/completions")
            }
        }
        if servedModel != nil {
            throw CLIError(
                "\(settings.source(of: .modelName)) is for an OpenAI-compatible --model-url; an Open Inference URL names its model (/v2/models/NAME)",
                hint: "drop the served model's name, or use a .../v1/chat/completions URL"
            )
        }
        if apiKey != nil {
            throw CLIError(
                "\(settings.source(of: .modelAPIKey)) is sent only to an OpenAI-compatible --model-url; the Open Inference client sends no key",
                hint: "unset the key, or use a .../v1/chat/completions URL"
            )
        }
        do {
            var modelServer = try OpenInferenceModel.Configuration(url: url)
            modelServer.requestTimeout = .milliseconds(timeout)
            modelServer.maxConcurrentRequests = concurrency
            modelServer.maxConnections = concurrency
            return (modelServer, nil)
        } catch {
            throw CLIError(
                error.message,
                hint: "fix --model-url or KINFER_MODEL_URL: http://HOST:PORT/v2/models/NAME (Open Inference) or http://HOST:PORT/v1/chat/completions (OpenAI-compatible)"
            )
        }
    }

    /// Whether a model served writes text, so that jobs may stream and the stream topic must exist.
    var servesGenerativeModel: Bool { chatServer != nil || (modelServer == nil && modelNames.contains("generator")) }

    /// Runs `body` with the catalog this worker serves: the model server's model once it is ready (its connections
    /// closed when `body` returns or throws), with the server's readiness check for `/readyz`; else the built-in
    /// `--model` models, and no check.
    func withModels(logger: Logger, _ body: (ModelCatalog, (@Sendable () async -> String?)?) async throws -> Void) async throws {
        if let chatServer {
            do {
                try await ChatCompletionModel.withModel(chatServer, logger: logger) { model in
                    try await body(ModelCatalog([model]), { await model.notReadyReason() })
                }
            } catch let error as ChatCompletionError {  // only connecting throws these: the worker handles model failures
                throw CLIError("cannot use the model at \(redactedURL(chatServer.endpoint.url)): \(error)", hint: "start the model server, or check --model-url and --model-name")
            }
            return
        }
        guard let modelServer else {
            return try await body(try builtInModels(), nil)
        }
        do {
            try await OpenInferenceModel.withModel(modelServer, logger: logger) { model in
                try await body(ModelCatalog([model]), { await model.notReadyReason() })
            }
        } catch let error as OpenInferenceError {  // only connecting throws these: the worker handles model failures
            throw CLIError("cannot use the model at \(redactedURL(modelServer.endpoint.url)): \(error)", hint: "start the model server, or check --model-url")
        }
    }

    private func builtInModels() throws(CLIError) -> ModelCatalog {
        var models: [any InferenceModel] = []
        for name in modelNames {
            switch name {
            case "generator":
                models.append(SimulatedGenerator(configuration: .init(tokenInterval: tokenInterval, tokenCount: tokenCount)))
            case "simulated":
                models.append(SimulatedModel(configuration: .init(
                    batchLatency: simulatedLatency, failureRate: simulatedFailureRate, seed: UInt64(truncatingIfNeeded: getpid())
                )))
            default:
                do {
                    models.append(try DigitsClassifier())
                } catch {
                    throw CLIError("cannot load the digits model: \(error)", hint: "reinstall kinfer; its model resources are missing or damaged")
                }
            }
        }
        return ModelCatalog(models)
    }
}
