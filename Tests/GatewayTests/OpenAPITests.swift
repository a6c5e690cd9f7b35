import Foundation
import Testing

@Suite("OpenAPI")
struct OpenAPITests {
    @Test("GET /openapi.json: an OpenAPI 3.1 document listing exactly the routes served")
    func documentListsTheRoutes() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.send(.GET, "/openapi.json", headers: [])
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "Content-Type") == "application/json")
            let document = try #require(reply.object)
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            #expect(Set(paths.keys) == ["/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/events", "/v1/predict", "/v1/chat/completions", "/openapi.json"])
            #expect(Set(paths["/v1/jobs"]!.keys) == ["post"])
            #expect(Set(paths["/v1/jobs/{id}"]!.keys) == ["get"])
            let responses = try #require((paths["/v1/jobs"]?["post"] as? [String: Any])?["responses"] as? [String: Any])
            #expect(Set(responses.keys) == ["202", "400", "401", "409", "413", "415", "422", "429", "503"])
            #expect(Set(paths["/v1/predict"]!.keys) == ["post"])
            #expect(Set(paths["/v1/jobs/{id}/events"]!.keys) == ["get"])
            let predict = try #require((paths["/v1/predict"]?["post"] as? [String: Any])?["responses"] as? [String: Any])
            #expect(Set(predict.keys) == ["200", "400", "401", "409", "413", "415", "422", "429", "503", "504"])
            let events = try #require((paths["/v1/jobs/{id}/events"]?["get"] as? [String: Any])?["responses"] as? [String: Any])
            #expect(Set(events.keys) == ["200", "401", "404", "503"])
            #expect(((events["200"] as? [String: Any])?["content"] as? [String: Any])?.keys.contains("text/event-stream") == true)
            let chat = try #require((paths["/v1/chat/completions"]?["post"] as? [String: Any])?["responses"] as? [String: Any])
            #expect(Set(paths["/v1/chat/completions"]!.keys) == ["post"])
            #expect(Set(chat.keys) == ["200", "400", "401", "409", "413", "415", "422", "429", "502", "503", "504"])
            let chatContent = try #require((chat["200"] as? [String: Any])?["content"] as? [String: Any])
            #expect(Set(chatContent.keys) == ["application/json", "text/event-stream"])
        }
    }
}
