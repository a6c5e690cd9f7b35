import Foundation
import Hummingbird
import InferenceJobs
import NIOCore
import ResultStore

/// `POST /v1/chat/completions`, OpenAI's chat API over the same queue: the conversation is submitted as a streaming
/// job exactly as `POST /v1/jobs` submits a job (``accept(_:reading:beforeProduce:)``: back-pressure, idempotency,
/// the broker's acknowledgement), then answered as OpenAI answers: a `chat.completion` once the result is in, or, with
/// `"stream": true`, `chat.completion.chunk` events as the tokens come (``RelayLoop``), then `data: [DONE]`.
extension GatewayResponder {
    func chatCompletion(_ request: Request, channel: any Channel) async throws(Problem) -> Response {
        let options = self.configuration.options
        let waiters = self.waiters
        let streams = self.streams
        let rules = self.configuration.models
        guard waiters.isFollowing else { throw self.notFollowing() }
        let started = ContinuousClock.now
        let createdAt = Int(Date().timeIntervalSince1970)
        var chat: ChatCompletionRequest?
        // Registered before the job is produced, as for /v1/predict: no result can pass it.
        var ticket: ResultWaiters.Ticket?
        defer { ticket.map(waiters.forget) }
        let (acceptance, _) = try await self.accept(request, reading: { body, keyHeader, candidateJobID, now throws(Problem) in
            let parsed = try ChatCompletionRequest(body: body, maxDepth: options.maxJSONDepth, rules: rules)
            chat = parsed
            return try Submission(job: parsed.job(id: candidateJobID, now: now), body: body, idempotencyKeyHeader: keyHeader)
        }) { jobID throws(Problem) in
            let streamed = chat?.stream ?? false
            let kind: ResultWaiters.Kind = streamed ? .stream : .predict
            let limit = streamed ? options.maxOpenStreams : options.maxWaitingPredicts
            guard let registered = waiters.register(jobID, kind: kind, limit: limit) else {
                if waiters.isClosed(kind) {
                    throw Problem.unavailable("this gateway instance is shutting down; retry on another", retryAfter: options.retryAfterSeconds)
                }
                self.metrics.limitReached(route: "/v1/chat/completions")
                throw Problem.unavailable(
                    "\(limit) \(streamed ? "streams are" : "calls are") already waiting on this instance; retry",
                    retryAfter: options.retryAfterSeconds
                )
            }
            ticket = registered
            streams.expect(jobID)
        }
        guard let registered = ticket, let parsed = chat else {
            throw Problem.unavailable("the job was accepted but no waiter was registered", retryAfter: options.retryAfterSeconds)
        }
        channel.closeFuture.whenComplete { _ in waiters.forget(registered) }
        let jobID = acceptance.jobID
        let wait = options.syncTimeout
        if parsed.stream {
            ticket = nil  // the body forgets it when the stream ends
            return self.streamedCompletion(
                jobID: jobID, location: acceptance.location, ticket: registered, model: parsed.model, created: createdAt,
                idle: options.streamIdleTimeout
            )
        }

        self.metrics.waitingPredicts.increment()
        defer { self.metrics.waitingPredicts.decrement() }
        // A replayed key's job may have finished before the ticket was registered: the store has it then.
        if case .finished(let stored)? = try? await self.store.jobRecord(for: jobID) {
            return try Self.completion(stored.result, jobID: jobID, model: parsed.model, created: createdAt)
        }
        if let delivery = await waiters.next(registered, until: started + wait) {
            self.metrics.pushLatency(since: delivery.producedAt)
            return try Self.completion(delivery.result, jobID: jobID, model: parsed.model, created: createdAt)
        }
        if waiters.isClosed(.predict) {
            throw Problem.syncTimeout(
                jobID: jobID, location: acceptance.location, waited: ContinuousClock.now - started,
                retryAfter: options.syncRetryAfterSeconds, shuttingDown: true
            )
        }
        if Task.isCancelled || !waiters.isRegistered(registered) {
            throw Problem.unavailable("the request was cancelled or its client went away", retryAfter: options.retryAfterSeconds)
        }
        self.metrics.syncTimeouts.increment()
        throw Problem.syncTimeout(jobID: jobID, location: acceptance.location, waited: wait, retryAfter: options.syncRetryAfterSeconds)
    }

    /// The `chat.completion` of a finished job, or the problem of one that ended without text.
    private static func completion(_ result: JobResult, jobID: String, model: String, created: Int) throws(Problem) -> Response {
        let text = try Self.generatedText(result, jobID: jobID)
        return .json(.ok, ChatCompletionEncoding.completion(jobID: jobID, created: created, model: model, text: text))
    }

    private static func generatedText(_ result: JobResult, jobID: String) throws(Problem) -> GeneratedText {
        switch (result.status, result.output) {
        case (.completed, .text(let text)?):
            return text
        case (.completed, _):
            throw Problem.jobFailed(jobID: jobID, detail: "model '\(result.model)' answered without text: it does not generate")
        default:
            let reason = result.error.map { "\($0.errorClass.rawValue): \($0.message)" } ?? "no error given"
            throw Problem.jobFailed(jobID: jobID, detail: "the job \(result.status.rawValue) (\(reason))")
        }
    }

    /// The `text/event-stream` answer of `"stream": true`: a chunk per token (the role in the first), a last chunk
    /// with the finish reason, `data: [DONE]`. A job that ends without text, or a wait with nothing new for `idle`
    /// (`streamIdleTimeout`), ends with an `error` event instead of the last chunk: the job goes on and `location` has it.
    private func streamedCompletion(
        jobID: String, location: String, ticket: ResultWaiters.Ticket, model: String, created: Int, idle: Duration
    ) -> Response {
        let options = self.configuration.options
        let waiters = self.waiters
        let metrics = self.metrics
        var loop = RelayLoop(
            jobID: jobID, ticket: ticket, waiters: waiters, streams: self.streams, store: self.store,
            heartbeat: options.heartbeatInterval, catchUp: options.streamCatchUp, expectsStream: true, metrics: metrics
        )
        loop.idleLimit = idle
        metrics.openStreams.increment()
        let body = ResponseBody { [loop] writer in
            defer {
                waiters.forget(ticket)
                metrics.openStreams.decrement()
            }
            var relay = TokenRelay(after: nil)
            var first = true
            let ending = try await loop.run(&relay) { output in
                switch output {
                case .tokens(let tokens):
                    var bytes: [UInt8] = []
                    for token in tokens {
                        bytes += ChatCompletionEncoding.chunk(
                            jobID: jobID, created: created, model: model, content: token.text, first: first, finishReason: nil
                        )
                        first = false
                    }
                    try await writer.write(ByteBuffer(bytes: bytes))
                case .heartbeat:
                    try await writer.write(ByteBuffer(bytes: JobEventStream.heartbeat))
                }
            }
            var bytes: [UInt8] = []
            switch ending {
            case .result(let result, let producedAt):
                metrics.pushLatency(since: producedAt)
                do throws(Problem) {
                    let text = try Self.generatedText(result, jobID: jobID)
                    if first {
                        bytes += ChatCompletionEncoding.chunk(jobID: jobID, created: created, model: model, content: "", first: true, finishReason: nil)
                    }
                    bytes += ChatCompletionEncoding.chunk(
                        jobID: jobID, created: created, model: model, content: nil, first: false, finishReason: text.finishReason
                    )
                } catch {
                    var problem = error
                    problem.speaksOpenAI = true
                    bytes += ChatCompletionEncoding.streamError(problem)
                }
            case .idle:
                metrics.syncTimeouts.increment()
                bytes += ChatCompletionEncoding.streamError(Problem.syncTimeout(
                    jobID: jobID, location: location, waited: idle, retryAfter: options.syncRetryAfterSeconds
                ))
            case .ended:
                // The client went away or the instance is shutting down: no [DONE], so a client knows it was cut.
                try await writer.finish(nil)
                return
            }
            bytes += ChatCompletionEncoding.done
            try await writer.write(ByteBuffer(bytes: bytes))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
