import Foundation
@testable import ChatCompletionModels
import InferenceJobs
import Testing

@Suite struct ProtocolTests {
    func json(_ body: ChatCompletionRequestBody) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(body.encoded()))
    }

    @Test func aPromptIsSentAsOneUserMessage() throws {
        let body = try ChatCompletionRequestBody(model: "qwen", input: ModelInput(prompt: "Say \"hi\"", maxTokens: 20))
        #expect(try self.json(body) == [
            "model": .string("qwen"), "stream": .bool(true), "max_tokens": .integer(20),
            "messages": .array([.object(["role": .string("user"), "content": .string("Say \"hi\"")])]),
        ])
    }

    @Test func messagesAreSentAsGivenAndMaxTokensOnlyWhenGiven() throws {
        let messages = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Why Kafka?")]
        let body = try ChatCompletionRequestBody(model: "m", input: ModelInput(prompt: "ignored", messages: messages))
        let json = try self.json(body)
        #expect(json["max_tokens"] == nil)
        #expect(json["messages"] == .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }))
    }

    @Test func aJobWithNothingToAskIsBadInput() {
        #expect(throws: ChatCompletionError(.badInput, "the job has no prompt and no messages for a chat model")) {
            try ChatCompletionRequestBody(model: "m", input: ModelInput(features: [1, 2]))
        }
    }

    @Test func chunksGiveTheirContentAndFinishReason() throws {
        let first = try ChatCompletionChunk(data: #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#)
        #expect(first == ChatCompletionChunk(content: "", finishReason: nil))
        let text = try ChatCompletionChunk(data: #"{"id":"x","choices":[{"index":0,"delta":{"content":" wör\nld"}}]}"#)
        #expect(text == ChatCompletionChunk(content: " wör\nld", finishReason: nil))
        let last = try ChatCompletionChunk(data: #"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#)
        #expect(last == ChatCompletionChunk(content: nil, finishReason: "length"))
        let usage = try ChatCompletionChunk(data: #"{"choices":[],"usage":{"completion_tokens":3}}"#)
        #expect(usage == ChatCompletionChunk(content: nil, finishReason: nil))
    }

    @Test func errorEventsAndGarbageAreFailures() {
        #expect(throws: ChatCompletionError(.streamError, "engine died")) {
            try ChatCompletionChunk(data: #"{"error":{"message":"engine died","type":"internal"}}"#)
        }
        for data in ["not json", "[1]", #"{"object":"chat.completion.chunk"}"#] {
            do {
                _ = try ChatCompletionChunk(data: data)
                Issue.record("\(data) decoded")
            } catch {
                #expect(error.code == .badResponse, "\(data)")
            }
        }
    }
}
