import Foundation
import InferenceJobs
import Testing

/// The decoder reads the fields it knows where they lie and checks the rest without building it: the whole message
/// must still be checked, and a key given twice must still count once, with its last value.
@Suite struct JobDecodingScanTests {
    func error(decoding bytes: [UInt8]) -> JobDecodingError? {
        do {
            _ = try JobCodec.decodeJob(bytes, fallbackSubmittedAt: .distantPast)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        #"{"job_id": "a", "features": [1], "x": {"y": [1, ]}}"#,
        #"{"job_id": "a", "x": "\q", "features": [1]}"#,
        "{\"job_id\": \"a\", \"x\": \"\u{01}\", \"features\": [1]}",
        #"{"job_id": "a", "features": [1], "x": tru}"#,
        #"{"job_id": "a", "features": [1], "x": [01]}"#,
        #"{"job_id": "a", "inputs": {"features": [1], "y": {"z" 1}}}"#,
        #"{"job_id": "a", "features": [1]} x"#,
    ])
    func syntaxErrorsInFieldsTheDecoderDoesNotReadAreNotJSON(_ text: String) {
        let error = self.error(decoding: Array(text.utf8))
        #expect(error?.code == .notJSON, "\(text): \(String(describing: error))")
        #expect(error?.jobID == nil, "a message that is not JSON has no job ID")
    }

    @Test func theSyntaxErrorNamesItsByte() {
        let text = #"{"job_id": "a", "features": [1], "x": {"y": [1, ]}}"#
        let offset = text.utf8.count - 3  // the "]" of "[1, ]}}"
        #expect(self.error(decoding: Array(text.utf8))?.message == "not valid JSON: unexpected character at byte \(offset)")
    }

    @Test func invalidUTF8InAnUnknownFieldIsNotJSON() {
        let bytes = Array(#"{"job_id": "a", "features": [1], "x": ""#.utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(self.error(decoding: bytes)?.code == .notJSON)
    }

    @Test func deepNestingInAnUnknownFieldIsNotJSON() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let error = self.error(decoding: Array(#"{"job_id": "a", "features": [1], "x": \#(deep)}"#.utf8))
        #expect(error?.code == .notJSON)
        #expect(error?.message.contains("nested too deeply") == true)
    }

    @Test func aKeyGivenTwiceCountsOnceWithItsLastValue() throws {
        let text = #"{"job_id": 5, "job_id": "b", "features": ["x"], "features": [1, 2], "x": 1, "x": {"y": [true, null]}}"#
        let job = try JobCodec.decodeJob(Array(text.utf8), fallbackSubmittedAt: .distantPast)
        #expect(job.jobID == "b")
        #expect(job.inputs.features == [1, 2])
        #expect(job.extra == ["x": .object(["y": .array([.bool(true), .null])])])
    }

    @Test func knownFieldsGivenAsNullAreNotUnknownFields() throws {
        let text = #"{"job_id": "a", "features": [1], "model": null, "deadline": null, "z": null}"#
        let job = try JobCodec.decodeJob(Array(text.utf8), fallbackSubmittedAt: .distantPast)
        #expect(job.model == nil)
        #expect(job.deadline == nil)
        #expect(job.extra == ["z": .null])
    }

    @Test func escapedKeysAreTheKeysTheyStandFor() throws {
        let text = #"{"job\u005fid": "a", "feat\u0075res": [3], "\u00e9t\u00e9": "\ud83d\ude00"}"#
        let job = try JobCodec.decodeJob(Array(text.utf8), fallbackSubmittedAt: .distantPast)
        #expect(job.jobID == "a")
        #expect(job.inputs.features == [3])
        #expect(job.extra == ["été": .string("😀")])
    }

    @Test func resultsReadTheirScoresWhereTheyLie() throws {
        let text = #"{"job_id": "r", "status": "completed", "output": {"label": "1", "confidence": 0.5, "scores": [0, 0.5, null], "scores": [0.25, null, 1]}, "attempts": 1, "model": "m", "model_version": "1", "worker": "w", "submitted_at": "2026-11-29T01:46:51.123Z", "completed_at": "2026-11-29T01:46:52.000Z"}"#
        let result = try JobCodec.decodeResult(Array(text.utf8))
        let scores = try #require(result.output?.classification?.scores)
        #expect(scores.count == 3)
        #expect(scores[0] == 0.25 && scores[1].isNaN && scores[2] == 1)
        let bad = text.replacingOccurrences(of: #"[0.25, null, 1]"#, with: #"[0.25, "x", 1]"#)
        #expect(throws: JobDecodingError.self) { try JobCodec.decodeResult(Array(bad.utf8)) }
        do {
            _ = try JobCodec.decodeResult(Array(bad.utf8))
        } catch {
            #expect(error.field == "output.scores[1]")
            #expect(error.code == .wrongFieldType)
        }
    }

    @Test func numbersAreReadExactlyAsTheStandardLibraryReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0.1", "0.25", "-0.0", "1e22", "1e23", "1e-22", "1e-23", "123456789012345.6", "12345678901234.5",
                     "0.000000000000000000001", "9007199254740993e0", "1.7976931348623157e308", "5e-324", "4.9E+1", "2.5e-3"]
        for _ in 0..<5_000 {
            let digits = String((0..<Int.random(in: 1...18, using: &generator)).map { _ in "0123456789".randomElement(using: &generator)! })
            let point = Int.random(in: 0..<digits.count, using: &generator)
            var text = String(digits.prefix(point + 1)).replacing(/^0+(?=\d)/, with: "")
            if point + 1 < digits.count { text += "." + digits.dropFirst(point + 1) }
            if Bool.random(using: &generator) { text += "e\(Int.random(in: -30...30, using: &generator))" }
            texts.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        let json = #"{"job_id": "n", "features": ["# + texts.joined(separator: ", ") + "]}"
        let job = try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: .distantPast)
        for (text, value) in zip(texts, job.inputs.features) {
            // An integer literal is read as an integer, so "-0" is 0: compare those by value, the others bit for bit.
            let isInteger = !text.contains { ".eE".contains($0) }
            #expect(isInteger ? value == Double(text)! : value.bitPattern == Double(text)!.bitPattern, "\(text): \(value) instead of \(Double(text)!)")
        }
        #expect(job.inputs.features.count == texts.count)
    }
}
