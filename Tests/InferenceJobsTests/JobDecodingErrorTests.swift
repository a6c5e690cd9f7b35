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
        (#"{"job_id": 7, "features": [1]}"#, "job_id"),
        (#"{"job_id": "w", "features": [1], "model": 3}"#, "model"),
        (#"{"job_id": "w", "inputs": [1]}"#, "inputs"),
        (#"{"job_id": "w", "inputs": {"features": [1], "image_url": false}}"#, "inputs.image_url"),
        (#"{"job_id": "w", "features": [1], "submitted_at": 1764380811}"#, "submitted_at"),
        (#"{"job_id": "w", "features": [1], "timeout_ms": "30s"}"#, "timeout_ms"),
        (#"{"job_id": "w", "features": [1], "timeout_ms": 1.5}"#, "timeout_ms"),
        (#"{"job_id": "w", "features": [1], "attempt": true}"#, "attempt"),
        (#"{"job_id": "w", "features": [1], "callback_url": {}}"#, "callback_url"),
    ])
    func wrongFieldTypeNamesTheField(_ text: String, _ field: String) {
        let error = self.error(decoding: text)
        #expect(error?.reason == "wrong_field_type")
        #expect(error?.field == field)
        #expect(error?.message.contains(field) == true)
    }

    @Test func halfValidMessagesStillCarryTheJobID() {
        let error = self.error(decoding: #"{"job_id": "half", "features": [1], "model": 3}"#)
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

    @Test func invalidTimestamps() {
        let error = self.error(decoding: #"{"job_id": "t", "features": [1], "deadline": "tomorrow"}"#)
        #expect(error?.reason == "invalid_timestamp")
        #expect(error?.field == "deadline")
    }

    @Test func invalidValues() {
        #expect(self.error(decoding: #"{"job_id": "v", "features": [1], "timeout_ms": -1}"#)?.code == .invalidValue)
        #expect(self.error(decoding: #"{"job_id": "v", "features": [1], "attempt": 0}"#)?.code == .invalidValue)
    }

    @Test func descriptionStartsWithTheReason() {
        let error = self.error(decoding: #"{"features": [1]}"#)
        #expect(error?.description == "missing_job_id: 'job_id' is required")
    }
}
