import ChatCompletionModels
import InferenceJobs
import InferenceModels
import KinferTestSupport
import Testing

@Suite("Chat completion failures, by class")
struct FailureTests {
    /// The events before the failure, and the failure as a ``ChatCompletionError``.
    func failure(_ prompt: String, maxTokens: Int? = nil, in model: ChatCompletionModel) async throws -> ([GenerationEvent], ChatCompletionError) {
        let (events, failure) = await model.generate(ModelInput(prompt: prompt, maxTokens: maxTokens)).events()
        let error = try #require(failure as? ChatCompletionError, "\(String(describing: failure))")
        #expect(model.failureClass(of: error) == error.failureClass)
        return (events, error)
    }

    @Test func serverErrorsAreRetryable() async throws {
        try await withStubModel { _, model in
            for status in [500, 503, 429] {
                let (events, error) = try await self.failure("x fail=\(status)", in: model)
                #expect(events.isEmpty)
                #expect(error.code == .status && error.status == status)
                #expect(error.failureClass == .retryable)
            }
        }
    }

    @Test func aRefusalIsFatalWithTheServersMessage() async throws {
        try await withStubModel { _, model in
            let (_, error) = try await self.failure("x fail=400", in: model)
            #expect(error.status == 400)
            #expect(error.failureClass == .fatal)
            #expect(error.message == "stub refused the request (400)")
        }
    }

    @Test func aStreamEndedBeforeDoneIsRetryableAfterItsChunks() async throws {
        try await withStubModel { _, model in
            let (events, error) = try await self.failure("x cut=2", maxTokens: 5, in: model)
            #expect(events == [.chunk("tok0"), .chunk(" tok1")])
            #expect(error.code == .incompleteStream)
            #expect(error.failureClass == .retryable)
        }
    }

    @Test func aConnectionLostMidStreamIsRetryable() async throws {
        try await withStubModel { _, model in
            let (events, error) = try await self.failure("x drop=2", maxTokens: 5, in: model)
            #expect(events == [.chunk("tok0"), .chunk(" tok1")])
            #expect(error.failureClass == .retryable)
        }
    }

    @Test func anErrorEventMidStreamIsRetryable() async throws {
        try await withStubModel { _, model in
            let (events, error) = try await self.failure("x stream-error=1", maxTokens: 5, in: model)
            #expect(events == [.chunk("tok0")])
            #expect(error.code == .streamError && error.message == "stub engine failed mid-stream")
            #expect(error.failureClass == .retryable)
        }
    }

    /// The stub holds the second token for 5 s; the model waits 300 ms for it.
    @Test func aSilentServerTimesOut() async throws {
        try await withStubModel({ $0.requestTimeout = .milliseconds(300) }) { _, model in
            let (events, error) = try await self.failure("x pause=1:5000", maxTokens: 3, in: model)
            #expect(events == [.chunk("tok0")])
            #expect(error.code == .timeout)
            #expect(error.failureClass == .retryable)
        }
    }

    /// async-http-client tries a refused connection again until the request's deadline: a short one keeps this quick.
    @Test func aServerThatIsGoneIsRetryable() async throws {
        try await withStubModel({ $0.requestTimeout = .milliseconds(500) }) { stub, model in
            await stub.stop()
            let (events, error) = try await self.failure("x", in: model)
            #expect(events.isEmpty)
            #expect(error.code == .connection || error.code == .timeout, "\(error)")
            #expect(error.failureClass == .retryable)
        }
    }

    @Test func connectingToNoServerEndsAtTheReadinessTimeout() async throws {
        var options = ChatCompletionModel.Options()
        options.readinessTimeout = .milliseconds(300)
        let configuration = try ChatCompletionModel.Configuration(url: "http://127.0.0.1:\(try freeLoopbackPort())/v1/chat/completions", options: options)
        do {
            _ = try await ChatCompletionModel.withModel(configuration, logger: quietLogger) { _ in Issue.record("connected to nothing") }
        } catch let error as ChatCompletionError {
            #expect(error.code == .notReady)
        }
    }

    /// Cancelling the task that reads a generation ends the request: the stub sees its client go.
    @Test func cancellationEndsTheRequest() async throws {
        try await withStubModel { stub, model in
            let failure = try await withThrowingTaskGroup(of: (any Error)?.self) { group in
                let (chunks, arrived) = AsyncStream.makeStream(of: Void.self)
                group.addTask {
                    defer { arrived.finish() }
                    do {
                        var iterator = model.generate(ModelInput(prompt: "x interval=50", maxTokens: 1_000)).makeAsyncIterator()
                        while try await iterator.next() != nil { arrived.yield() }
                        return nil
                    } catch {
                        return error
                    }
                }
                for await _ in chunks { break }  // the first chunk: the stream is flowing
                group.cancelAll()
                return try await group.next() ?? nil
            }
            #expect(failure is CancellationError, "\(String(describing: failure))")
            try await waitUntil("the stub to see the stream closed", timeout: .seconds(10)) { try await stub.disconnects() == 1 }
        }
    }
}
