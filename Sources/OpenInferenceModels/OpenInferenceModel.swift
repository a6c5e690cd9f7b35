import AsyncHTTPClient
import Foundation
import InferenceJobs
import InferenceModels
import Logging
import ModelServerHTTP
import NIOCore
import NIOHTTP1

/// A model served by a model server that speaks the Open Inference Protocol (KServe v2) over HTTP/REST: MLServer,
/// Triton, KServe, TorchServe.
///
/// Each batch is one `POST .../infer` with a single `[batch, features]` tensor. ``connect(_:logger:)`` waits for
/// the model to be ready and reads its metadata (input datatype and length, outputs); ``shutdown()`` closes the
/// connections. Prefer ``withModel(_:logger:_:)``, which always shuts down.
///
/// Failures, for the worker's retry logic (see ``OpenInferenceError/failureClass``):
/// - no answer, 408, 429 or 5xx: every input of the batch fails as retryable; the batch is not split, since an
///   outage says nothing about any one input;
/// - a refusal (other 4xx) of a single input: that input fails as fatal with the server's message;
/// - a refusal of a batch of several inputs: `predictEach` throws, and the worker splits the batch until the
///   refused inputs stand alone, so that their batch-mates still complete.
public struct OpenInferenceModel: InferenceModel {
    public let name: String
    public let version: String
    /// The feature count the metadata declares, so the worker refuses other lengths without a request.
    public let inputLength: Int?
    public let endpoint: ModelEndpoint
    /// The datatype features are sent as.
    public let datatype: TensorDatatype
    /// The outputs asked for; empty when the server chooses.
    public let outputs: [String]

    private let inputName: String
    private let requestTimeout: Duration
    private let client: HTTPClient
    private let permits: AsyncPermits

    /// Connects to the model: waits until `/ready` answers 200 and reads the metadata.
    ///
    /// - Throws: `OpenInferenceError` (`notReady`) when the model is not ready within the readiness timeout.
    public static func connect(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "kinfer.open-inference")
    ) async throws(OpenInferenceError) -> OpenInferenceModel {
        let client = HTTPClient.forModelServer(requestTimeout: configuration.requestTimeout, maxConnections: configuration.maxConnections)
        do {
            try await waitUntilReady(configuration, client: client, logger: logger)
            let metadata = await readMetadata(configuration.endpoint, client: client, timeout: configuration.requestTimeout, logger: logger)
            return OpenInferenceModel(configuration, metadata: metadata, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Connects to the model, runs `body` with it, and shuts it down afterwards, even when `body` throws.
    public static func withModel<Result>(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "kinfer.open-inference"),
        _ body: (OpenInferenceModel) async throws -> Result
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

    private init(_ configuration: Configuration, metadata: ModelMetadata?, client: HTTPClient) {
        let input = metadata?.inputs?.count == 1 ? metadata?.inputs?.first : nil
        self.name = configuration.name
        self.version = configuration.version ?? metadata?.versions?.first ?? "unversioned"
        self.inputLength = metadata?.inputLength
        self.endpoint = configuration.endpoint
        self.datatype = configuration.datatype ?? input.flatMap { TensorDatatype(rawValue: $0.datatype) } ?? .fp64
        self.inputName = configuration.inputName ?? input?.name ?? "input-0"
        self.outputs = configuration.outputs ?? metadata?.outputs?.map(\.name) ?? []
        self.requestTimeout = configuration.requestTimeout
        self.client = client
        self.permits = AsyncPermits(limit: configuration.maxConcurrentRequests)
    }

    /// Why the model is not ready now (one `GET .../ready` within `timeout`), or `nil` when it is: for readiness probes.
    public func notReadyReason(timeout: Duration = .seconds(2)) async -> String? {
        do {
            let (status, body) = try await Self.send(.GET, endpoint.readyURL, body: nil, timeout: timeout, client: client)
            return status == 200 ? nil : "model server not ready: \(OpenInferenceError(status: status, body: body.readableBytesView))"
        } catch {
            return "model server unreachable: \(error)"
        }
    }

    /// Closes the model's connections; call it once no prediction runs any more.
    ///
    /// - Important: A model that was connected must be shut down (debug builds of async-http-client trap otherwise).
    public func shutdown() async {
        try? await self.client.shutdown()
    }

    /// Runs the batch as one request; any failure fails the whole call with an `OpenInferenceError`.
    public func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        guard !batch.isEmpty else { return [] }
        let body = try InferenceRequestBody.encode(batch, inputName: self.inputName, datatype: self.datatype, outputs: self.outputs)
        let (status, answer) = try await self.permits.withPermit {
            try await self.send(.POST, self.endpoint.inferURL, body: body, timeout: self.requestTimeout)
        }
        guard status == 200 else { throw OpenInferenceError(status: status, body: answer.readableBytesView) }
        return try InferenceResponseBody.decode(answer.readableBytesView, batchSize: batch.count)
    }

    public func predictEach(_ batch: [ModelInput]) async throws -> [Result<ModelOutput, ModelFailure>] {
        do {
            return try await self.predict(batch).map { .success($0) }
        } catch {
            let failure = OpenInferenceError(transportError: error)
            return try Self.outcomes(after: failure, batchSize: batch.count)
        }
    }

    /// What a failed request means for each input of its batch; throws when only splitting the batch can tell
    /// (a refusal of several inputs at once).
    static func outcomes(after failure: OpenInferenceError, batchSize: Int) throws(OpenInferenceError) -> [Result<ModelOutput, ModelFailure>] {
        guard failure.failureClass == .retryable || batchSize == 1 else { throw failure }
        return Array(repeating: .failure(ModelFailure(failure.failureClass, failure.description)), count: batchSize)
    }

    public func failureClass(of error: any Error) -> FailureClass {
        OpenInferenceError(transportError: error).failureClass
    }

    // MARK: HTTP

    /// One request; returns the status and the whole body, or throws `OpenInferenceError` when no answer came.
    private func send(_ method: HTTPMethod, _ url: String, body: [UInt8]?, timeout: Duration) async throws(OpenInferenceError) -> (Int, ByteBuffer) {
        try await Self.send(method, url, body: body, timeout: timeout, client: self.client)
    }

    private static func send(
        _ method: HTTPMethod, _ url: String, body: [UInt8]?, timeout: Duration, client: HTTPClient
    ) async throws(OpenInferenceError) -> (Int, ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        do {
            let deadline = NIODeadline.now() + TimeAmount(timeout)
            let response = try await client.execute(request, deadline: deadline)
            let answer = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), answer)
        } catch {
            throw OpenInferenceError(transportError: error)
        }
    }

    private static func waitUntilReady(_ configuration: Configuration, client: HTTPClient, logger: Logger) async throws(OpenInferenceError) {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.readinessTimeout
        var last = "no answer yet"
        while true {
            do {
                let (status, body) = try await send(.GET, configuration.endpoint.readyURL, body: nil, timeout: min(configuration.requestTimeout, .seconds(5)), client: client)
                if status == 200 { return }
                last = OpenInferenceError(status: status, body: body.readableBytesView).description
            } catch {
                last = error.description
            }
            guard clock.now < deadline else {
                throw OpenInferenceError(.notReady, "\(configuration.endpoint) not ready within \(configuration.readinessTimeout): \(last)")
            }
            logger.debug("model not ready yet", metadata: ["url": "\(configuration.endpoint)", "last": "\(last)"])
            // A server starting up: ask again shortly rather than hammer it; a stop while waiting ends the wait.
            guard (try? await Task.sleep(for: .milliseconds(250))) != nil else {
                throw OpenInferenceError(.notReady, "stopped while waiting for \(configuration.endpoint) to be ready: \(last)")
            }
        }
    }

    /// The metadata, or `nil` (logged) when the server does not give it: every field then takes its default.
    private static func readMetadata(_ endpoint: ModelEndpoint, client: HTTPClient, timeout: Duration, logger: Logger) async -> ModelMetadata? {
        do {
            let (status, body) = try await send(.GET, endpoint.url, body: nil, timeout: timeout, client: client)
            guard status == 200 else { throw OpenInferenceError(status: status, body: body.readableBytesView) }
            return try JSONDecoder().decode(ModelMetadata.self, from: Data(body.readableBytesView))
        } catch {
            logger.warning("no model metadata; using the configured or default datatype, input and outputs", metadata: ["url": "\(endpoint)", "error": "\(error)"])
            return nil
        }
    }
}
