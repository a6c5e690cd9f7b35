import Foundation
import KinferTestSupport
import Testing

@Suite("Auth")
struct AuthTests {
    static let body = #"{"features": [\#(Array(repeating: "0", count: 64).joined(separator: ","))]}"#

    @Test("No key, a wrong key, a right key: 401, 401, 202; the OpenAPI document needs none")
    func keys() async throws {
        try await withGateway { gateway in
            let json = ("Content-Type", "application/json")
            let none = try await gateway.send(.POST, "/v1/jobs", headers: [json], body: Array(Self.body.utf8))
            #expect(none.status == 401)
            #expect(none.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(none.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(none.object?["type"] as? String == "/problems/unauthorized")

            let wrong = try await gateway.send(.POST, "/v1/jobs", headers: [json, ("Authorization", "Bearer not-the-key")], body: Array(Self.body.utf8))
            #expect(wrong.status == 401)
            let wrongGet = try await gateway.send(.GET, "/v1/jobs/x", headers: [("Authorization", "Bearer not-the-key")])
            #expect(wrongGet.status == 401)

            let right = try await gateway.submit(Self.body)
            #expect(right.status == 202)

            #expect(try await gateway.send(.GET, "/openapi.json", headers: []).status == 200)
        }
    }

    @Test("--no-auth: no key needed")
    func open() async throws {
        try await withGateway(authentication: .open) { gateway in
            let reply = try await gateway.send(.POST, "/v1/jobs", headers: [("Content-Type", "application/json")], body: Array(Self.body.utf8))
            #expect(reply.status == 202)
        }
    }

    @Test("curl: a submission with the key is 202 with Location; without it 401 with a problem body")
    func withCurl() async throws {
        try await withGateway { gateway in
            let accepted = try await ChildProcess.run(
                "/usr/bin/curl",
                ["-sS", "-i", "--max-time", "20", "-H", "Authorization: Bearer \(testAPIKey)", "-H", "Content-Type: application/json",
                 "-d", Self.body, "\(gateway.baseURL)/v1/jobs"],
                timeout: .seconds(30)
            ).requireSuccess()
            let text = accepted.standardOutputText
            #expect(text.hasPrefix("HTTP/1.1 202"), "\(text)")
            #expect(text.lowercased().contains("location: /v1/jobs/"))
            #expect(text.contains(#""status":"pending""#))

            let refused = try await ChildProcess.run(
                "/usr/bin/curl",
                ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", "--max-time", "20",
                 "-H", "Content-Type: application/json", "-d", Self.body, "\(gateway.baseURL)/v1/jobs"],
                timeout: .seconds(30)
            ).requireSuccess()
            #expect(refused.standardOutputText == "401 application/problem+json")
        }
    }
}
