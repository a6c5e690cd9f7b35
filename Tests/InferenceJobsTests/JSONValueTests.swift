import Foundation
import InferenceJobs
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripsThroughFoundationsCoders() throws {
        let value = JSONValue.object([
            "a": .array([.null, .bool(false), .integer(-3), .number(2.5), .string("x")]),
            "b": .object(["c": .integer(9_007_199_254_740_993)]),
        ])
        let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }

    @Test func foundationDecodingMatchesTheCodecsUnknownFields() throws {
        let json = #"{"job_id": "v", "features": [1], "meta": {"n": 1, "f": 0.25, "ok": true, "tags": ["a"]}}"#
        let job = try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: .distantPast)
        let foundation = try JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))
        #expect(job.extra["meta"] == foundation["meta"])
    }
}
