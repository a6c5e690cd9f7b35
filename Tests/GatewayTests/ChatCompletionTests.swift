import Foundation
import InferenceJobs
import Testing

@testable import Gateway

@Suite("Chat completions, without a server")
struct ChatCompletionTests {
    static let rules = ModelRules(inputWidths: ["generator": nil, "digits": 64], defaultModel: "digits")

    func parse(_ json: String) throws(Problem) -> ChatCompletionRequest {
        try ChatCompletionRequest(body: Array(json.utf8), maxDepth: 32, rules: Self.rules)
    }

    func refusal(_ json: String) -> Problem? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    @Test("OpenAI's body becomes a streaming job of the conversation; other OpenAI fields are accepted and not passed on")
    func readsTheBody() throws {
        let chat = try parse(#"{"model":"generator","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi","name":"ann"}],"stream":true,"max_tokens":12,"temperature":0.2,"top_p":1,"n":1,"user":"u"}"#)
        #expect(chat == ChatCompletionRequest(
            model: "generator", messages: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi")],
            stream: true, maxTokens: 12
        ))
        let job = chat.job(id: "j1", now: Date(timeIntervalSince1970: 0))
        #expect(job.stream && job.model == "generator" && job.inputs.maxTokens == 12 && job.extra.isEmpty && job.inputs.extra.isEmpty)
        let encoded = String(decoding: JobCodec.encode(job), as: UTF8.self)
        #expect(encoded.contains(#""inputs":{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"max_tokens":12}"#))
        #expect(!encoded.contains("temperature"))
        #expect(try parse(#"{"model":"generator","messages":[{"role":"user","content":"x"}],"max_completion_tokens":5,"stream":null}"#).maxTokens == 5)
        #expect(try !parse(#"{"model":"generator","messages":[{"role":"user","content":"x"}]}"#).stream)
        #expect(try parse(#"{"job_id":"mine","model":"generator","messages":[{"role":"user","content":"x"}]}"#).messages.count == 1)
    }

    @Test("Refusals name the field")
    func refusalsNameTheField() {
        let cases: [(String, String, Int)] = [
            (#"{"model":"generator"}"#, "messages", 422),
            (#"{"model":"generator","messages":[]}"#, "messages", 422),
            (#"{"model":"generator","messages":"hi"}"#, "messages", 422),
            (#"{"model":"generator","messages":[{"role":"user","content":"a"},{"role":"user"}]}"#, "messages[1]", 422),
            (#"{"model":"generator","messages":[{"role":"","content":"a"}]}"#, "messages[0].role", 422),
            (#"{"messages":[{"role":"user","content":"a"}]}"#, "model", 422),
            (#"{"model":7,"messages":[{"role":"user","content":"a"}]}"#, "model", 422),
            (#"{"model":"digits","messages":[{"role":"user","content":"a"}]}"#, "model", 422),
            (#"{"model":"gpt-4o","messages":[{"role":"user","content":"a"}]}"#, "model", 422),
            (#"{"model":"generator","messages":[{"role":"user","content":"a"}],"max_tokens":0}"#, "max_tokens", 422),
            (#"{"model":"generator","messages":[{"role":"user","content":"a"}],"max_tokens":"ten"}"#, "max_tokens", 422),
            (#"{"model":"generator","messages":[{"role":"user","content":"a"}],"max_completion_tokens":1.5}"#, "max_completion_tokens", 422),
            (#"{"model":"generator","messages":[{"role":"user","content":"a"}],"stream":"yes"}"#, "stream", 422),
        ]
        for (body, field, status) in cases {
            let problem = refusal(body)
            #expect(problem?.status == status, "\(body)")
            #expect(problem?.errors.first?.field == field, "\(body): \(String(describing: problem))")
        }
        #expect(refusal("[1]")?.status == 400)
        #expect(refusal("")?.status == 400)
    }

    func object(_ bytes: [UInt8], droppingPrefix prefix: String = "") throws -> [String: Any] {
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(prefix))
        let json = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test("Chunks, the completion and errors in OpenAI's shapes")
    func encodings() throws {
        let first = try object(
            ChatCompletionEncoding.chunk(jobID: "j", created: 1700000000, model: "generator", content: "The", first: true, finishReason: nil),
            droppingPrefix: "data: "
        )
        #expect(first["id"] as? String == "chatcmpl-j" && first["object"] as? String == "chat.completion.chunk")
        #expect(first["created"] as? Int == 1700000000 && first["model"] as? String == "generator")
        let choice = try #require((first["choices"] as? [[String: Any]])?.first)
        #expect(choice["delta"] as? [String: String] == ["role": "assistant", "content": "The"])
        #expect(choice["finish_reason"] is NSNull)
        let later = try object(ChatCompletionEncoding.chunk(jobID: "j", created: 1, model: "m", content: " queue", first: false, finishReason: nil), droppingPrefix: "data: ")
        #expect((later["choices"] as? [[String: Any]])?.first?["delta"] as? [String: String] == ["content": " queue"])
        let last = try object(ChatCompletionEncoding.chunk(jobID: "j", created: 1, model: "m", content: nil, first: false, finishReason: "length"), droppingPrefix: "data: ")
        #expect(((last["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?.isEmpty == true)
        #expect((last["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "length")
        #expect(String(decoding: ChatCompletionEncoding.done, as: UTF8.self) == "data: [DONE]\n\n")

        let completion = try object(ChatCompletionEncoding.completion(
            jobID: "j", created: 5, model: "generator", text: GeneratedText(text: "The queue", tokens: 2, finishReason: "stop")
        ))
        #expect(completion["object"] as? String == "chat.completion")
        let message = try #require((completion["choices"] as? [[String: Any]])?.first)
        #expect(message["message"] as? [String: String] == ["role": "assistant", "content": "The queue"])
        #expect(message["finish_reason"] as? String == "stop")
        #expect((completion["usage"] as? [String: Int])?["completion_tokens"] == 2)

        var problem = Problem.invalidJob([Problem.FieldError(field: "max_tokens", message: "'max_tokens' must be at least 1", reason: "invalid_value")])
        problem.speaksOpenAI = true
        let body = try object(problem.json)
        #expect(body["type"] as? String == "/problems/invalid-job" && body["status"] as? Int == 422)
        let error = try #require(body["error"] as? [String: Any])
        #expect(error["type"] as? String == "invalid_request_error" && error["param"] as? String == "max_tokens")
        #expect(error["code"] as? String == "invalid_value" && (error["message"] as? String)?.contains("max_tokens") == true)
        let streamed = try object(ChatCompletionEncoding.streamError(Problem.jobFailed(jobID: "j", detail: "the job failed")), droppingPrefix: "data: ")
        #expect((streamed["error"] as? [String: Any])?["type"] as? String == "server_error")
        #expect((streamed["error"] as? [String: Any])?["code"] as? String == "job-failed")
        #expect(Problem.unauthorized("no key").openAIError.type == "authentication_error")
        #expect(try object(Problem.unauthorized("no key").json)["error"] == nil)
    }
}
