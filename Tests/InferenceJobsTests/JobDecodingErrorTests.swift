import Foundation
import InferenceJobs
import Testing

@Suite struct JobDecodingErrorTests {
    func error(decoding bytes: [UInt8]?, maxBytes: Int = JobCodec.defaultMaxBytes) -> JobDecodingError? {
        do {
            _ = try JobCodec.decodeJob(bytes, fallbackSubmittedAt: .distantPast, maxBytes: maxBytes)
            return nil
        } catch {
            return error
        }
    }

    func error(decoding json: String) -> JobDecodingError? {
        self.error(decoding: Array(json.utf8))
    }

    @Test func emptyMessages() {
        #expect(self.error(decoding: nil)?.code == .emptyMessage)
        #expect(self.error(decoding: [])?.reason == "empty_message")
    }

    @Test func oversizedMessagesAreRefusedUnread() {
        let error = self.error(decoding: Array(#"{"job_id": "big", "features": [1]}"#.utf8), maxBytes: 10)
        #expect(error?.reason == "oversized")
        #expect(error?.jobID == nil)
    }

    @Test(arguments: [
        "{", "not json", #"{"job_id": "a",}"#, #"{"job_id": 'a'}"#, "[1, 2", #"{"a": 01}"#, "{} {}", #"{"a": "\x"}"#,
        #"{"a": 1e999}"#, #"{"a": "\ud800"}"#,
        // arrays of numbers that end early (found by scripts/fuzz: read one byte past the message)
        #"{"job_id": "a", "features": [1,"#, #"{"job_id": "a", "features": [1, "#, #"{"job_id": "a", "features": ["#,
        #"{"features": [1.5,"#, #"{"job_id":"#, #"{"job_id": "#,
    ])
    func notJSON(_ text: String) {
        #expect(self.error(decoding: text)?.reason == "not_json")
    }

    @Test func invalidUTF8IsNotJSON() {
        #expect(self.error(decoding: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])?.code == .notJSON)
    }

    @Test func deepNestingIsNotJSON() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(self.error(decoding: deep)?.code == .notJSON)
    }

    @Test(arguments: ["[1, 2]", "\"job\"", "42", "null"])
    func notAnObject(_ text: String) {
        #expect(self.error(decoding: text)?.reason == "not_an_object")
    }

    @Test func missingJobID() {
        let error = self.error(decoding: #"{"features": [1]}"#)
        #expect(error?.reason == "missing_job_id")
        #expect(error?.jobID == nil)
        #expect(self.error(decoding: #"{"job_id": null, "features": [1]}"#)?.code == .missingJobID)
    }

    @Test func emptyJobIDIsInvalid() {
        #expect(self.error(decoding: #"{"job_id": "", "features": [1]}"#)?.reason == "invalid_value")
    }

    @Test(arguments: [
        (#"{"job_id": 7.5, "features": [1]}"#, "job_id"),
        (#"{"job_id": true, "features": [1]}"#, "job_id"),
        (#"{"job_id": "w", "inputs": [1]}"#, "inputs"),
    ])
    func wrongFieldTypeNamesTheField(_ text: String, _ field: String) {
        let error = self.error(decoding: text)
        #expect(error?.reason == "wrong_field_type")
        #expect(error?.field == field)
        #expect(error?.message.contains(field) == true)
    }

    @Test func integerJobIDsReadAsTheirDigits() throws {
        let job = try JobCodec.decodeJob(Array(#"{"job_id": 12345, "features": [1]}"#.utf8), fallbackSubmittedAt: .distantPast)
        #expect(job.jobID == "12345")
    }

    /// Metadata never makes a job poison: each of these runs, without the field, and the field is reported.
    @Test(arguments: [
        (#"{"job_id": "w", "features": [1], "model": 3}"#, "model", "wrong_field_type"),
        (#"{"job_id": "w", "inputs": {"features": [1], "image_url": false}}"#, "inputs.image_url", "wrong_field_type"),
        (#"{"job_id": "w", "features": [1], "image_url": 4}"#, "image_url", "wrong_field_type"),
        (#"{"job_id": "w", "features": [1], "submitted_at": true}"#, "submitted_at", "wrong_field_type"),
        (#"{"job_id": "w", "features": [1], "submitted_at": "yesterday"}"#, "submitted_at", "invalid_timestamp"),
        (#"{"job_id": "w", "features": [1], "deadline": "tomorrow"}"#, "deadline", "invalid_timestamp"),
        (#"{"job_id": "w", "features": [1], "timeout_ms": "30s"}"#, "timeout_ms", "wrong_field_type"),
        (#"{"job_id": "w", "features": [1], "timeout_ms": -1}"#, "timeout_ms", "invalid_value"),
        (#"{"job_id": "w", "features": [1], "attempt": true}"#, "attempt", "wrong_field_type"),
        (#"{"job_id": "w", "features": [1], "attempt": 0}"#, "attempt", "invalid_value"),
        (#"{"job_id": "w", "features": [1], "attempt": 1.5}"#, "attempt", "wrong_field_type"),
        (#"{"job_id": "w", "features": [1], "callback_url": {}}"#, "callback_url", "wrong_field_type"),
    ])
    func unreadableOptionalFieldsAreIgnoredAndReported(_ text: String, _ field: String, _ reason: String) throws {
        var ignored: [JobDecodingError] = []
        let job = try JobCodec.decodeJob(Array(text.utf8), fallbackSubmittedAt: .distantPast, ignoredFields: &ignored)
        #expect(job.jobID == "w")
        #expect(job.inputs.features == [1])
        #expect(job.model == nil && job.callbackURL == nil && job.timeoutMs == nil && job.deadline == nil)
        #expect(job.inputs.imageURL == nil)
        #expect(job.attempt == 1)
        #expect(job.submittedAt == .distantPast)
        #expect(ignored.count == 1)
        #expect(ignored.first?.field == field)
        #expect(ignored.first?.reason == reason)
        #expect(ignored.first?.jobID == "w")
        #expect(ignored.first?.message.contains(field) == true)
        #expect(job.extra.isEmpty && job.inputs.extra.isEmpty, "an ignored field is not kept as an unknown one")
    }

    @Test func fractionalTimeoutsLoseTheirFraction() throws {
        let job = try JobCodec.decodeJob(Array(#"{"job_id": "w", "features": [1], "timeout_ms": 1500.7}"#.utf8), fallbackSubmittedAt: .distantPast)
        #expect(job.timeoutMs == 1500)
    }

    @Test func halfValidMessagesStillCarryTheJobID() {
        let error = self.error(decoding: #"{"job_id": "half", "inputs": 3}"#)
        #expect(error?.jobID == "half")
        #expect(self.error(decoding: #"{"job_id": "half"}"#)?.jobID == "half")
    }

    @Test func missingFeatures() {
        let plain = self.error(decoding: #"{"job_id": "m", "image_url": "https://images.example/1.png"}"#)
        #expect(plain?.reason == "missing_features")
        #expect(plain?.field == "features")
        let canonical = self.error(decoding: #"{"job_id": "m", "inputs": {}}"#)
        #expect(canonical?.code == .missingFeatures)
        #expect(canonical?.field == "inputs.features")
    }

    @Test func nonNumericFeaturesNameThePosition() {
        let element = self.error(decoding: #"{"job_id": "x", "inputs": {"features": [1, "2", 3]}}"#)
        #expect(element?.reason == "non_numeric_features")
        #expect(element?.field == "inputs.features[1]")
        #expect(self.error(decoding: #"{"job_id": "x", "features": "1,2,3"}"#)?.code == .nonNumericFeatures)
        #expect(self.error(decoding: #"{"job_id": "x", "features": [1, null]}"#)?.code == .nonNumericFeatures)
    }

    @Test func descriptionStartsWithTheReason() {
        let error = self.error(decoding: #"{"features": [1]}"#)
        #expect(error?.description == "missing_job_id: 'job_id' is required")
    }
}
