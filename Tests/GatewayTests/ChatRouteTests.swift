import Foundation
import Gateway
import KinferTestSupport
import Testing

@Suite("POST /v1/chat/completions without a worker")
struct ChatRouteTests {
    static let body = #"{"model": "generator", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}"#

    @Test("Refusals are problems with OpenAI's error object naming the field; the deadline answers 504 with Location, or ends a stream with an error event and [DONE]")
    func refusalsAndDeadlines() async throws {
        try await withGateway(
            models: ModelRules(inputWidths: ["generator": nil, "digits": 64], defaultModel: "digits"),
            configure: {
                $0.syncTimeout = .milliseconds(300)
                $0.streamIdleTimeout = .milliseconds(300)
            }
        ) { gateway in
            let json = [("Authorization", "Bearer \(testAPIKey)"), ("Content-Type", "application/json")]
            let invalid = try await gateway.send(.POST, "/v1/chat/completions", headers: json, body: Array(#"{"model": "generator", "messages": []}"#.utf8))
            #expect(invalid.status == 422)
            #expect(invalid.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(invalid.problemFields == ["messages"])
            let error = try #require(invalid.object?["error"] as? [String: Any])
            #expect(error["param"] as? String == "messages" && error["type"] as? String == "invalid_request_error")

            let unauthorized = try await gateway.send(.POST, "/v1/chat/completions", headers: [("Content-Type", "application/json")], body: Array(Self.body.utf8))
            #expect(unauthorized.status == 401)
            #expect((unauthorized.object?["error"] as? [String: Any])?["type"] as? String == "authentication_error")
            let wrongMethod = try await gateway.send(.GET, "/v1/chat/completions")
            #expect(wrongMethod.status == 405 && wrongMethod.headers.first(name: "Allow") == "POST")
            #expect(wrongMethod.object?["error"] != nil)
            // Elsewhere, problems stay as they were.
            #expect(try await gateway.send(.GET, "/v1/predict").object?["error"] == nil)

            let late = try await gateway.send(.POST, "/v1/chat/completions", headers: json, body: Array(Self.body.utf8))
            #expect(late.status == 504)
            let jobID = try #require(late.object?["job_id"] as? String)
            #expect(late.headers.first(name: "Location") == "/v1/jobs/\(jobID)")
            #expect((late.object?["error"] as? [String: Any])?["type"] as? String == "server_error")
            #expect(try await gateway.send(.GET, "/v1/jobs/\(jobID)").object?["status"] as? String == "pending")

            let streamed = try await gateway.send(
                .POST, "/v1/chat/completions", headers: json,
                body: Array(#"{"model": "generator", "messages": [{"role": "user", "content": "Hi"}], "stream": true}"#.utf8)
            )
            #expect(streamed.status == 200)
            #expect(streamed.headers.first(name: "Content-Type") == "text/event-stream")
            let frames = streamed.text.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }
            #expect(frames.count == 2, "\(streamed.text)")
            #expect(frames.first?.hasPrefix(#"data: {"error":{"#) == true)
            #expect(frames.first?.contains("sync-timeout") == true)
            #expect(frames.last == "data: [DONE]")
        }
    }
}
