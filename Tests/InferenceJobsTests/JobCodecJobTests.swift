import Foundation
import InferenceJobs
import Testing

@Suite struct JobCodecJobTests {
    let fallback = Date(timeIntervalSince1970: 1_700_000_000)

    func decode(_ json: String) throws(JobDecodingError) -> InferenceJob {
        try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: self.fallback)
    }

    @Test func canonicalJobRoundTrips() throws {
        let job = InferenceJob(
            jobID: "job-1",
            model: "digits",
            inputs: ModelInput(features: [0, 1.5, -2, 16], imageURL: "https://images.example/1.png"),
            submittedAt: Date(timeIntervalSince1970: 1_764_380_811.123),
            deadline: Date(timeIntervalSince1970: 1_764_380_871.5),
            timeoutMs: 30_000,
            callbackURL: "https://orders.example/cb",
            attempt: 3,
            extra: ["tenant": .string("acme"), "priority": .integer(7)]
        )
        let bytes = JobCodec.encode(job)
        #expect(try JobCodec.decodeJob(bytes, fallbackSubmittedAt: self.fallback) == job)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"job_id":"job-1","model":"digits","inputs":{"features":[0,1.5,-2,16],"#))
        #expect(text.contains(#""submitted_at":"2025-11-29T01:46:51.123Z""#))
    }

    @Test func plainShapeDecodesLikeCanonicalShape() throws {
        let plain = try self.decode(
            """
            {"job_id": "p-1", "image_url": "https://images.example/2.png", "features": [1, 2, 3],
             "callback_url": "https://orders.example/cb", "submitted_at": "2026-11-29T01:46:51Z"}
            """
        )
        let canonical = try self.decode(
            """
            {"job_id": "p-1", "inputs": {"features": [1.0, 2.0, 3.0], "image_url": "https://images.example/2.png"},
             "callback_url": "https://orders.example/cb", "submitted_at": "2026-11-29T01:46:51.000Z"}
            """
        )
        #expect(plain == canonical)
        #expect(plain.inputs.features == [1, 2, 3])
        #expect(plain.attempt == 1)
        #expect(plain.model == nil)
        #expect(plain.extra.isEmpty)
    }

    @Test func unknownFieldsSurviveARoundTripInBothShapes() throws {
        let plain = try self.decode(
            #"{"job_id": "u-1", "features": [1], "trace": {"span": [1, 2.5, null, true]}, "big": 9007199254740993}"#
        )
        #expect(plain.extra["trace"] == .object(["span": .array([.integer(1), .number(2.5), .null, .bool(true)])]))
        #expect(plain.extra["big"] == .integer(9_007_199_254_740_993))
        let replayed = try JobCodec.decodeJob(JobCodec.encode(plain), fallbackSubmittedAt: .distantPast)
        #expect(replayed == plain)

        let canonical = try self.decode(
            #"{"job_id": "u-2", "inputs": {"features": [1], "crop": "center"}, "features": "ignored here"}"#
        )
        #expect(canonical.inputs.extra == ["crop": .string("center")])
        #expect(canonical.extra == ["features": .string("ignored here")])
        #expect(try JobCodec.decodeJob(JobCodec.encode(canonical), fallbackSubmittedAt: .distantPast) == canonical)
    }

    @Test func missingSubmittedAtFallsBackToTheMessageTimestamp() throws {
        let job = try self.decode(#"{"job_id": "f-1", "features": [1]}"#)
        #expect(job.submittedAt == self.fallback)
    }

    @Test func nullOptionalFieldsReadAsAbsent() throws {
        let job = try self.decode(
            #"{"job_id": "n-1", "features": [1], "model": null, "callback_url": null, "deadline": null, "image_url": null}"#
        )
        #expect(job.model == nil && job.callbackURL == nil && job.deadline == nil && job.inputs.imageURL == nil)
        #expect(job.extra.isEmpty)
    }

    @Test func timestampsWithOffsetsAreConvertedToUTC() throws {
        let job = try self.decode(
            #"{"job_id": "t-1", "features": [1], "submitted_at": "2026-11-29T03:46:51.5+02:00", "deadline": "2026-11-28T20:46:51-05:00"}"#
        )
        #expect(JobTimestamp.format(job.submittedAt) == "2026-11-29T01:46:51.500Z")
        #expect(JobTimestamp.format(job.deadline!) == "2026-11-29T01:46:51.000Z")
    }

    @Test func expiresAtIsTheEarlierOfDeadlineAndTimeout() {
        let submitted = Date(timeIntervalSince1970: 1000)
        var job = InferenceJob(jobID: "e", inputs: ModelInput(features: []), submittedAt: submitted)
        #expect(job.expiresAt == nil)
        job.timeoutMs = 2500
        #expect(job.expiresAt == Date(timeIntervalSince1970: 1002.5))
        job.deadline = Date(timeIntervalSince1970: 1001)
        #expect(job.expiresAt == Date(timeIntervalSince1970: 1001))
        job.timeoutMs = nil
        job.deadline = Date(timeIntervalSince1970: 1005)
        #expect(job.expiresAt == Date(timeIntervalSince1970: 1005))
    }

    @Test func stringsWithEscapesAndNonASCIIRoundTrip() throws {
        let job = try self.decode(#"{"job_id": "é\"\\\n\u00e9\ud83d\ude00", "features": [1e2, -0.5E-1]}"#)
        #expect(job.jobID == "é\"\\\né😀")
        #expect(job.inputs.features == [100, -0.05])
        #expect(try JobCodec.decodeJob(JobCodec.encode(job), fallbackSubmittedAt: .distantPast) == job)
    }
}
