import AsyncHTTPClient
import InferenceJobs
import InferenceModels
import Logging
import ModelServerHTTP
import NIOCore
import NIOHTTP1

/// A generative model behind an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI): each generation is
/// one `POST .../chat/completions` with `stream: true`, its server-sent events read as the generation is iterated.
///
/// Pull-based: the response body is read only when the next event is asked for, so a slow reader slows the server's
/// connection rather than filling memory, and one that stops reading (or is cancelled) ends the request.
/// ``connect(_:logger:)`` waits for the server to answer and learns the served model when none is configured;
/// ``shutdown()`` closes the connections. Prefer ``withModel(_:logger:_:)``, which always shuts down.
///
/// Failures are ``ChatCompletionError``s; see ``ChatCompletionError/failureClass``.
public struct ChatCompletionModel: GenerativeModel {
    public let name: String
    public let version: String
    public let endpoint: ChatCompletionEndpoint
    /// The model each request asks for.
    public let servedModel: String

    private let requestTimeout: Duration
    private let apiKey: APIKey?
    private let client: HTTPClient
    private let permits: AsyncPermits

    init(_ configuration: Configuration, servedModel: String, client: HTTPClient) {
        let options = configuration.options
        self.name = options.name ?? servedModel
        self.version = options.version ?? servedModel
        self.endpoint = configuration.endpoint
        self.servedModel = servedModel
        self.requestTimeout = options.requestTimeout
        self.apiKey = options.apiKey
        self.client = client
        self.permits = AsyncPermits(limit: options.maxConcurrentRequests)
    }

    /// Connects to the server: waits until `GET .../models` answers, and takes the served model from it when the
    /// options name none.
    ///
    /// - Throws: ``ChatCompletionError`` (`notReady`) when the server does not answer within the readiness timeout,
    ///   or lists no model to use; `CancellationError` when the task is cancelled first.
    public static func connect(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "kinfer.chat-completion")
    ) async throws -> ChatCompletionModel {
        let options = configuration.options
        let client = HTTPClient.forModelServer(requestTimeout: options.requestTimeout, maxConnections: options.maxConcurrentRequests)
        do {
            let listed = try await ServerReadiness.waitForModels(configuration, client: client, logger: logger)
            guard let servedModel = options.servedModel ?? listed.first else {
                throw ChatCompletionError(
                    .notReady, "\(configuration.endpoint.modelsURL) lists no model; name the served model in the options"
                )
            }
            if let listed = listed.isEmpty ? nil : listed, !listed.contains(servedModel) {
                logger.warning("the server does not list the configured model", metadata: [
                    "model": "\(servedModel)", "listed": "\(listed.joined(separator: ", "))",
                ])
            }
            return ChatCompletionModel(configuration, servedModel: servedModel, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Connects to the server, runs `body` with the model, and shuts it down afterwards, even when `body` throws.
    public static func withModel<Result>(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "kinfer.chat-completion"),
        _ body: (ChatCompletionModel) async throws -> Result
    ) async throws -> Result {
        let model = try await connect(configuration, logger: logger)
        do {
            let result = try await body(model)
            await model.shutdown()
            return result
        } catch {
            await model.shutdown()
            throw error
        }
    }

    /// Closes the model's connections; call it once no generation runs any more.
    ///
    /// - Important: A model that was connected must be shut down (debug builds of async-http-client trap otherwise).
    public func shutdown() async {
        try? await self.client.shutdown()
    }

    /// Why the server is not ready now (one `GET .../models` within `timeout`), or `nil` when it answers 200: for
    /// readiness probes.
    public func notReadyReason(timeout: Duration = .seconds(2)) async -> String? {
        await ServerReadiness.notReadyReason(self.endpoint, apiKey: self.apiKey, client: self.client, timeout: timeout)
    }

    /// One streamed chat completion: the job's `messages` (or its `prompt` as one user message) and `max_tokens`.
    ///
    /// Each iteration sends its own request, once a permit is free, when the first event is asked for.
    public func generate(_ input: ModelInput) -> TextGeneration {
        TextGeneration {
            let stream = ChatCompletionStream(
                request: { () throws(ChatCompletionError) in try self.makeRequest(input) },
                client: self.client, permits: self.permits, timeout: self.requestTimeout
            )
            return { try await stream.next() }
        }
    }

    public func failureClass(of error: any Error) -> FailureClass {
        if let failure = error as? ModelFailure { return failure.failureClass }
        return ChatCompletionError(transportError: error).failureClass
    }

    private func makeRequest(_ input: ModelInput) throws(ChatCompletionError) -> HTTPClientRequest {
        let body = try ChatCompletionRequestBody(model: self.servedModel, input: input)
        var request = HTTPClientRequest(url: self.endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey.value)") }
        request.body = .bytes(body.encoded())
        return request
    }
}
