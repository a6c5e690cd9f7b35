import Foundation
import InferenceJobs
import Testing

@Suite struct JobCodecResultTests {
    static let completed = JobResult(
        jobID: "r-1",
        status: .completed,
        output: ModelOutput(label: "7", confidence: 0.9, scores: [0.05, 0.05, 0.9]),
        attempts: 1,
        model: "digits",
        modelVersion: "digits-lr-1",
        worker: "worker-a",
        submittedAt: Date(timeIntervalSince1970: 1_764_380_811.123),
        startedAt: Date(timeIntervalSince1970: 1_764_380_811.2),
        completedAt: Date(timeIntervalSince1970: 1_764_380_812.001)
    )

    static let failed = JobResult(
        jobID: "r-2",
        status: .failed,
        error: JobError(errorClass: .poison, message: "missing_features: \"features\" is required\n"),
        attempts: 3,
        model: "digits",
        modelVersion: "digits-lr-1",
        worker: "worker-b",
        submittedAt: Date(timeIntervalSince1970: 1_764_380_811),
        completedAt: Date(timeIntervalSince1970: 1_764_380_900.999)
    )

    @Test(arguments: [completed, failed])
    func resultsRoundTrip(_ result: JobResult) throws {
        #expect(try JobCodec.decodeResult(JobCodec.encode(result)) == result)
    }

    @Test func completedResultIsWrittenInTheDocumentedForm() {
        let text = String(decoding: JobCodec.encode(Self.completed), as: UTF8.self)
        #expect(
            text == #"{"job_id":"r-1","status":"completed","output":{"label":"7","confidence":0.9,"scores":[0.05,0.05,0.9]},"#
                + #""attempts":1,"model":"digits","model_version":"digits-lr-1","worker":"worker-a","#
                + #""submitted_at":"2025-11-29T01:46:51.123Z","started_at":"2025-11-29T01:46:51.200Z","#
                + #""completed_at":"2025-11-29T01:46:52.001Z"}"#
        )
    }

    @Test func unknownErrorClassesSurvive() throws {
        var result = Self.failed
        result.error = JobError(errorClass: JobErrorClass(rawValue: "quota"), message: "over quota")
        #expect(try JobCodec.decodeResult(JobCodec.encode(result)).error?.errorClass.rawValue == "quota")
    }

    @Test func nonFiniteScoresAreWrittenAsNullAndReadAsNaN() throws {
        var result = Self.completed
        result.output = ModelOutput(label: "0", confidence: .nan, scores: [.infinity, 0])
        let text = String(decoding: JobCodec.encode(result), as: UTF8.self)
        #expect(text.contains(#""confidence":null,"scores":[null,0]"#))
        let decoded = try JobCodec.decodeResult(Array(text.utf8))
        #expect(decoded.output?.confidence.isNaN == true)
        #expect(decoded.output?.scores[0].isNaN == true)
    }

    @Test func missingRequiredResultFieldsAreNamed() {
        #expect(throws: JobDecodingError.self) { try JobCodec.decodeResult(Array(#"{"job_id": "x"}"#.utf8)) }
        do {
            _ = try JobCodec.decodeResult(Array(#"{"job_id": "x", "status": "lost"}"#.utf8))
            Issue.record("an unknown status decoded")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.field == "status")
            #expect(error.jobID == "x")
        }
    }
}
