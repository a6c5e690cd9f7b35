import ChatCompletionModels
import InferenceJobs
import InferenceModels
import KinferTestSupport
import Testing

@Suite("Chat completions against scripts/openai_stub.py")
struct StreamingTests {
    @Test func chunksArriveInOrderThenTheWholeText() async throws {
        try await withStubModel { stub, model in
            let (events, failure) = await model.generate(ModelInput(prompt: "hello", maxTokens: 3)).events()
            #expect(failure == nil)
            #expect(events == [
                .chunk("tok0"), .chunk(" tok1"), .chunk(" tok2"),
                .finished(GeneratedText(text: "tok0 tok1 tok2", tokens: 3, finishReason: "length")),
            ])
            let request = try #require(try await stub.received().last)
            #expect(request.body == .init(model: "stub-model", messages: [.init(role: "user", content: "hello")], stream: true, max_tokens: 3))
            #expect(request.authorization == nil)
        }
    }

    @Test func theServedModelComesFromTheServersList() async throws {
        try await withStubModel { _, model in
            #expect(model.servedModel == "stub-model")
            #expect(model.name == "stub-model")
            #expect(model.version == "stub-model")
            #expect(await model.notReadyReason() == nil)
        }
    }

    @Test func messagesTheConfiguredModelAndTheAPIKeyAreSent() async throws {
        let messages = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Why Kafka?")]
        try await withStubModel({
            $0.servedModel = "llama-3"
            $0.name = "chat"
            $0.apiKey = APIKey("sk-test-1")
        }) { stub, model in
            #expect(model.name == "chat")
            let text = try await model.generate(ModelInput(messages: messages)).finalText()
            #expect(text == GeneratedText(text: "tok0 tok1 tok2 tok3 tok4", tokens: 5, finishReason: "stop"))
            let request = try #require(try await stub.received().last)
            #expect(request.body.model == "llama-3")
            #expect(request.body.messages == messages.map { .init(role: $0.role, content: $0.content) })
            #expect(request.body.max_tokens == nil)
            #expect(request.authorization == "Bearer sk-test-1")
        }
    }

    @Test func aBatchRunsAsConcurrentGenerations() async throws {
        try await withStubModel { _, model in
            let outcomes = try await model.predictEach([
                ModelInput(prompt: "a", maxTokens: 2), ModelInput(prompt: "b fail=400"), ModelInput(prompt: "c", maxTokens: 1),
            ])
            #expect(try outcomes[0].get() == .text(GeneratedText(text: "tok0 tok1", tokens: 2, finishReason: "length")))
            #expect(try outcomes[2].get() == .text(GeneratedText(text: "tok0", tokens: 1, finishReason: "length")))
            guard case .failure(let refused) = outcomes[1] else {
                Issue.record("a refused request completed")
                return
            }
            #expect(refused.failureClass == .fatal)
            #expect(refused.message.contains("stub refused the request (400)"))
        }
    }

    @Test func aJobWithNothingToAskFailsWithoutARequest() async throws {
        try await withStubModel { stub, model in
            let (events, failure) = await model.generate(ModelInput(features: [1, 2, 3])).events()
            #expect(events.isEmpty)
            let error = try #require(failure as? ChatCompletionError)
            #expect(error.code == .badInput && model.failureClass(of: error) == .fatal)
            #expect(try await stub.received().isEmpty)
        }
    }

    @Test func anAbandonedGenerationGivesBackItsPlace() async throws {
        try await withStubModel({ $0.maxConcurrentRequests = 1 }) { _, model in
            var abandoned: TextGeneration.AsyncIterator? = model.generate(ModelInput(prompt: "first", maxTokens: 50)).makeAsyncIterator()
            #expect(try await abandoned?.next() == .chunk("tok0"))
            abandoned = nil
            // With the only permit still held, this would wait forever.
            let text = try await model.generate(ModelInput(prompt: "second", maxTokens: 2)).finalText()
            #expect(text.text == "tok0 tok1")
            _ = abandoned
        }
    }
}
