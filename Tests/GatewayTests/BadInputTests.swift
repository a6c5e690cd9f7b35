import AsyncHTTPClient
import Foundation
import NIOHTTP1
import KinferTestSupport
import Testing

/// Every bad request gets its documented 4xx and a problem body, and nothing bad is enqueued.
@Suite("Bad input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod = .POST
        var path = "/v1/jobs"
        var contentType: String? = "application/json"
        var extraHeaders: [(String, String)] = []
        var body: String
        var status: Int
        var type: String
        var field: String?

        var testDescription: String { self.name }
    }

    static let width64 = Array(repeating: "0", count: 64).joined(separator: ",")

    static let corpus: [Case] = [
        Case(name: "empty body", body: "", status: 400, type: "/problems/malformed-json"),
        Case(name: "not JSON", body: "features=1,2", status: 400, type: "/problems/malformed-json"),
        Case(name: "truncated JSON", body: #"{"features": [1, 2"#, status: 400, type: "/problems/malformed-json"),
        Case(name: "an array", body: "[1, 2, 3]", status: 400, type: "/problems/malformed-json"),
        Case(name: "nested too deeply", body: String(repeating: "[", count: 40) + String(repeating: "]", count: 40), status: 400, type: "/problems/malformed-json"),
        Case(name: "no features", body: #"{"inputs": {}}"#, status: 422, type: "/problems/invalid-job", field: "inputs.features"),
        Case(name: "features not numbers", body: #"{"inputs": {"features": [1, "two"]}}"#, status: 422, type: "/problems/invalid-job", field: "inputs.features[1]"),
        Case(name: "wrong width, canonical", body: #"{"model": "digits", "inputs": {"features": [1, 2, 3]}}"#, status: 422, type: "/problems/invalid-job", field: "inputs.features"),
        Case(name: "wrong width, plain", body: #"{"features": [1, 2, 3]}"#, status: 422, type: "/problems/invalid-job", field: "features"),
        Case(name: "a model not served", body: #"{"model": "gpt-9", "features": [\#(width64)]}"#, status: 422, type: "/problems/invalid-job", field: "model"),
        Case(name: "negative timeout", body: #"{"features": [\#(width64)], "timeout_ms": -5}"#, status: 422, type: "/problems/invalid-job", field: "timeout_ms"),
        Case(name: "bad deadline", body: #"{"features": [\#(width64)], "deadline": "soon"}"#, status: 422, type: "/problems/invalid-job", field: "deadline"),
        Case(name: "bad Idempotency-Key", extraHeaders: [("Idempotency-Key", "has spaces in it")], body: #"{"features": [\#(width64)]}"#, status: 400, type: "/problems/invalid-header", field: "Idempotency-Key"),
        Case(name: "text/plain", contentType: "text/plain", body: #"{"features": [\#(width64)]}"#, status: 415, type: "/problems/unsupported-media-type", field: "Content-Type"),
        Case(name: "no content type", contentType: nil, body: #"{"features": [\#(width64)]}"#, status: 415, type: "/problems/unsupported-media-type", field: "Content-Type"),
        Case(name: "too large", body: #"{"features": [\#(Array(repeating: "1.5", count: 2_000).joined(separator: ","))]}"#, status: 413, type: "/problems/body-too-large"),
        Case(name: "unknown route", method: .GET, path: "/v2/anything", body: "", status: 404, type: "/problems/not-found"),
        Case(name: "wrong method", method: .DELETE, path: "/v1/jobs/abc", body: "", status: 405, type: "/problems/method-not-allowed"),
        Case(name: "GET on the submit route", method: .GET, path: "/v1/jobs", body: "", status: 405, type: "/problems/method-not-allowed"),
    ]

    @Test("Each bad request of the corpus: its 4xx, a problem body naming the field, nothing enqueued")
    func corpusIsRefused() async throws {
        try await withGateway(partitions: 1, configure: { $0.maxBodyBytes = 4_096 }) { gateway in
            for item in Self.corpus {
                var headers = [("Authorization", "Bearer \(testAPIKey)")] + item.extraHeaders
                if let contentType = item.contentType { headers.append(("Content-Type", contentType)) }
                let reply = try await gateway.send(item.method, item.path, headers: headers, body: item.body.isEmpty && item.method != .POST ? nil : Array(item.body.utf8))
                #expect(reply.status == item.status, "\(item.name): \(reply.text)")
                #expect(reply.headers.first(name: "Content-Type") == "application/problem+json", "\(item.name)")
                let object = reply.object
                #expect(object?["type"] as? String == item.type, "\(item.name)")
                #expect(object?["status"] as? Int == item.status, "\(item.name)")
                #expect(object?["title"] is String, "\(item.name)")
                #expect(object?["detail"] is String, "\(item.name)")
                if let field = item.field { #expect(reply.problemFields == [field], "\(item.name): \(reply.text)") }
                if item.status == 405 { #expect(reply.headers.first(name: "Allow") != nil) }
            }
            let sentinel = try #require(try await gateway.submit(#"{"features": [\#(Self.width64)]}"#).object?["job_id"] as? String)
            let messages = try await gateway.jobMessages(through: sentinel)
            #expect(messages.count == 1, "only the sentinel is on the topic")
        }
    }

    @Test("Python's urllib: a malformed body is 400 and a wrong width 422 naming inputs.features")
    func withPython() async throws {
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"] ?? "/work/main/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python at \(python); set KINFER_PYTHON")
            return
        }
        let script = #"""
            import json, sys, urllib.request, urllib.error
            base, key = sys.argv[1], sys.argv[2]
            def post(body):
                request = urllib.request.Request(base + "/v1/jobs", data=body.encode(), method="POST",
                    headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=20) as response:
                        return response.status, response.headers.get("Content-Type"), json.load(response)
                except urllib.error.HTTPError as error:
                    return error.code, error.headers.get("Content-Type"), json.load(error)
            out = [post("{not json"), post('{"inputs": {"features": [1, 2]}}'), post(json.dumps({"features": [0] * 64}))]
            print(json.dumps([[status, ctype, body.get("type"), [e["field"] for e in body.get("errors", [])], body.get("status")] for status, ctype, body in out]))
            """#
        try await withGateway { gateway in
            let result = try await ChildProcess.run(python, ["-c", script, gateway.baseURL, testAPIKey], timeout: .seconds(60)).requireSuccess()
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutputText.utf8)) as? [[Any]])
            #expect(rows.count == 3)
            #expect(rows[0][0] as? Int == 400)
            #expect(rows[0][1] as? String == "application/problem+json")
            #expect(rows[1][0] as? Int == 422)
            #expect(rows[1][3] as? [String] == ["inputs.features"])
            #expect(rows[2][0] as? Int == 202)
            #expect(rows[2][2] is NSNull, "a 202 has no problem type")
        }
    }
}
