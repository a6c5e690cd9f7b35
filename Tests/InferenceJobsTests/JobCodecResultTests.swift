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
        completedAt: Date(timeIntervalSince1970: 1_764_380_812.001),
        callbackURL: "https://hooks.example/kinfer?order=7"
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

    @Test func scoresAreWrittenAsTheStandardLibraryWritesThemAndReadBackBitForBit() throws {
        var generator = SystemRandomNumberGenerator()
        var scores: [Double] = [0.1, -0.0, 1e22, 1e23, .leastNonzeroMagnitude, 1.7976931348623157e308, 123456789012345.6, 0.30000000000000004, 2.5, -7]
        while scores.count < 10_000 {
            let value = Double(bitPattern: generator.next())
            if value.isFinite { scores.append(value) }
        }
        var result = Self.completed
        result.output = ModelOutput(label: "x", confidence: 0.5, scores: scores)
        let text = String(decoding: JobCodec.encode(result), as: UTF8.self)
        let written = try #require(text.firstMatch(of: /"scores":\[([^\]]*)\]/)).1.split(separator: ",").map(String.init)
        #expect(written.count == scores.count)
        for (score, text) in zip(scores, written) {
            // Integral values below 2^53 are written as integers ("-0.0" as "0"); the rest as `description` writes them.
            let isSmallInteger = score == score.rounded(.towardZero) && abs(score) < 9_007_199_254_740_992
            #expect(text == (isSmallInteger ? String(Int(score)) : score.description))
        }
        let decoded = try JobCodec.decodeResult(JobCodec.encode(result))
        let decodedScores = try #require(decoded.output?.classification?.scores)
        let pairs = zip(scores, decodedScores)
        #expect(pairs.allSatisfy { $0 == 0 ? $1 == 0 : $0.bitPattern == $1.bitPattern })
    }

    @Test func completedResultIsWrittenInTheDocumentedForm() {
        let text = String(decoding: JobCodec.encode(Self.completed), as: UTF8.self)
        #expect(
            text == #"{"job_id":"r-1","status":"completed","label":"7","confidence":0.9,"#
                + #""output":{"label":"7","confidence":0.9,"scores":[0.05,0.05,0.9]},"#
                + #""attempts":1,"model":"digits","model_version":"digits-lr-1","worker":"worker-a","#
                + #""submitted_at":"2025-11-29T01:46:51.123Z","started_at":"2025-11-29T01:46:51.200Z","#
                + #""completed_at":"2025-11-29T01:46:52.001Z","callback_url":"https://hooks.example/kinfer?order=7"}"#
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
        #expect(decoded.output?.classification?.confidence.isNaN == true)
        #expect(decoded.output?.classification?.scores[0].isNaN == true)
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
