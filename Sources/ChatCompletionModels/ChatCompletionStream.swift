import ModelServerHTTP
import AsyncHTTPClient
import InferenceJobs
import InferenceModels
import NIOCore

/// One generation's request and the reading of its event stream: what ``ChatCompletionModel/generate(_:)``'s
/// iterator calls for each event.
///
/// Owned by a single iterator and used by one task at a time, hence a plain class, not `Sendable`. It holds one of
/// the model's permits from the request until the stream ends, fails, or the iterator is dropped (`deinit`), so that an
/// abandoned generation never keeps its place. Dropping the response body's iterator before its end makes
/// async-http-client close the connection: that is how a cancelled or abandoned generation ends its request.
final class ChatCompletionStream {
    private enum State {
        case notStarted
        case streaming(HTTPClientResponse.Body.AsyncIterator)
        case ended
    }

    private var state = State.notStarted
    private let makeRequest: () throws(ChatCompletionError) -> HTTPClientRequest
    private let client: HTTPClient
    private let permits: AsyncPermits
    private let timeout: Duration
    private var holdsPermit = false
    private var parser = ServerSentEventParser()
    private var pending: [ServerSentEvent] = []
    private var pendingIndex = 0
    private var text = ""
    private var tokens = 0
    private var finishReason: String?

    init(
        request: @escaping () throws(ChatCompletionError) -> HTTPClientRequest,
        client: HTTPClient,
        permits: AsyncPermits,
        timeout: Duration
    ) {
        self.makeRequest = request
        self.client = client
        self.permits = permits
        self.timeout = timeout
    }

    deinit {
        if self.holdsPermit { self.permits.release() }
    }

    /// The next event: a chunk for each non-empty `delta.content`, then the whole text at `data: [DONE]`; `nil` after
    /// that, or after a failure.
    ///
    /// - Throws: ``ChatCompletionError``, or `CancellationError` when the task is cancelled.
    func next() async throws -> GenerationEvent? {
        do {
            return try await self.advance()
        } catch {
            self.end()
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw ChatCompletionError(transportError: error)
        }
    }

    private func advance() async throws -> GenerationEvent? {
        switch self.state {
        case .ended: return nil
        case .notStarted: try await self.start()
        case .streaming: break
        }
        while true {
            while self.pendingIndex < self.pending.count {
                let event = self.pending[self.pendingIndex]
                self.pendingIndex += 1
                if event.data == "[DONE]" {
                    self.end()
                    return .finished(GeneratedText(text: self.text, tokens: self.tokens, finishReason: self.finishReason ?? "stop"))
                }
                let chunk = try ChatCompletionChunk(data: event.data)
                if let reason = chunk.finishReason { self.finishReason = reason }
                if let content = chunk.content, !content.isEmpty {
                    self.text += content
                    self.tokens += 1
                    return .chunk(content)
                }
            }
            self.pending.removeAll(keepingCapacity: true)
            self.pendingIndex = 0
            guard case .streaming(var body) = self.state else { return nil }
            let part = try await body.next(within: self.timeout)
            self.state = .streaming(body)
            guard let part else {
                throw ChatCompletionError(.incompleteStream, "the stream ended after \(self.tokens) chunks without data: [DONE]")
            }
            do {
                self.pending = try self.parser.parse(part.readableBytesView)
            } catch {
                throw ChatCompletionError(.badResponse, "a line of the stream is longer than \(self.parser.maxLineBytes) bytes")
            }
        }
    }

    /// Sends the request once a permit is free (waiting for one does not count against the timeout) and checks the
    /// response head.
    private func start() async throws {
        let request = try self.makeRequest()  // a job with nothing to ask fails before it takes a permit
        try await self.permits.acquire()
        self.holdsPermit = true
        let response = try await self.client.execute(request, deadline: .now() + TimeAmount(self.timeout))
        var body = response.body.makeAsyncIterator()
        guard response.status == .ok else {
            // Up to 64 KiB of the answer, for its message; what arrived in time when the rest does not.
            let answer = (try? await body.collect(upTo: 64 << 10, within: self.timeout)) ?? []
            throw ChatCompletionError(status: Int(response.status.code), body: answer)
        }
        if let type = response.headers.first(name: "Content-Type"), !type.lowercased().hasPrefix("text/event-stream") {
            throw ChatCompletionError(.badResponse, "the server answered with \(type), not text/event-stream: it does not stream chat completions")
        }
        self.state = .streaming(body)
    }

    private func end() {
        self.state = .ended
        self.pending = []
        if self.holdsPermit {
            self.holdsPermit = false
            self.permits.release()
        }
    }

}
