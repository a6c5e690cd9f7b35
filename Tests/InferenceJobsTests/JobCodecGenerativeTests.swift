import Foundation
import InferenceJobs
import Testing

/// Jobs for generative models (`prompt`, `messages`, `max_tokens`, `stream`) and the stream topic's chunks.
@Suite struct JobCodecGenerativeTests {
    func decode(_ json: String, ignoredFields: inout [JobDecodingError]) throws(JobDecodingError) -> InferenceJob {
        try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: .distantPast, ignoredFields: &ignoredFields)
    }

    func decode(_ json: String) throws(JobDecodingError) -> InferenceJob {
        var ignored: [JobDecodingError] = []
        return try self.decode(json, ignoredFields: &ignored)
    }

    func error(decoding json: String) -> JobDecodingError? {
        do {
            _ = try self.decode(json)
            return nil
        } catch {
            return error
        }
    }

    static let conversation = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Grüße, \"Kafka\"\n")]

    @Test func generativeJobsRoundTrip() throws {
        let job = InferenceJob(
            jobID: "g-1",
            model: "generator",
            inputs: ModelInput(prompt: "Write a haiku", messages: Self.conversation, maxTokens: 20, extra: ["temperature": .number(0.2)]),
            submittedAt: Date(timeIntervalSince1970: 1_764_380_811.123),
            stream: true,
            extra: ["tenant": .string("acme")]
        )
        let bytes = JobCodec.encode(job)
        #expect(try JobCodec.decodeJob(bytes, fallbackSubmittedAt: .distantPast) == job)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""inputs":{"prompt":"Write a haiku","messages":[{"role":"system","content":"Be brief."},"#))
        #expect(!text.contains("features"), "a purely generative job carries no empty features")
        #expect(text.contains(#","stream":true"#))
    }

    @Test func thePlainShapeDecodesLikeTheCanonicalShape() throws {
        let plain = try self.decode(
            #"{"job_id": "p-1", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Gr\u00fc\u00dfe, \"Kafka\"\n"}], "max_tokens": 7, "stream": true}"#
        )
        let canonical = try self.decode(
            #"{"job_id": "p-1", "inputs": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Grüße, \"Kafka\"\n"}], "max_tokens": 7}, "stream": true}"#
        )
        #expect(plain == canonical)
        #expect(plain.inputs.messages == Self.conversation)
        #expect(plain.inputs.maxTokens == 7 && plain.inputs.prompt == nil && plain.inputs.features.isEmpty)
        #expect(plain.stream)
        #expect(try JobCodec.decodeJob(JobCodec.encode(plain), fallbackSubmittedAt: .distantPast) == plain)
    }

    /// What `json.dumps({"job_id": ..., "model": "generator", "prompt": "...", "max_tokens": 20, "stream": True,
    /// "submitted_at": time.time()})` writes, byte for byte.
    @Test func aPythonProducersJobDecodes() throws {
        var ignored: [JobDecodingError] = []
        let job = try self.decode(
            #"{"job_id": "py-1", "model": "generator", "prompt": "Write a haiku about queues.", "max_tokens": 20, "stream": true, "submitted_at": 1764672000.123456}"#,
            ignoredFields: &ignored
        )
        #expect(ignored.isEmpty)
        #expect(job.jobID == "py-1" && job.model == "generator")
        #expect(job.inputs == ModelInput(prompt: "Write a haiku about queues.", maxTokens: 20))
        #expect(job.stream)
        #expect(abs(job.submittedAt.timeIntervalSince1970 - 1_764_672_000.123456) < 1e-6)
        #expect(job.attempt == 1 && job.extra.isEmpty)
    }

    @Test func streamIsFalseUnlessAsked() throws {
        #expect(try self.decode(#"{"job_id": "s", "prompt": "x"}"#).stream == false)
        #expect(try self.decode(#"{"job_id": "s", "prompt": "x", "stream": null}"#).stream == false)
        #expect(try self.decode(#"{"job_id": "s", "prompt": "x", "stream": false}"#).stream == false)
    }

    @Test(arguments: [
        (#"{"job_id": "m", "messages": "hello"}"#, "messages"),
        (#"{"job_id": "m", "messages": [{"role": "user"}]}"#, "messages[0]"),
        (#"{"job_id": "m", "messages": [{"role": "user", "content": "a"}, {"role": 1, "content": "b"}]}"#, "messages[1]"),
        (#"{"job_id": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]}"#, "messages[0]"),
        (#"{"job_id": "m", "inputs": {"messages": [null]}}"#, "inputs.messages[0]"),
        (#"{"job_id": "m", "features": [1], "messages": {"role": "user"}}"#, "messages"),
        (#"{"job_id": "m", "prompt": 42}"#, "prompt"),
        (#"{"job_id": "m", "inputs": {"prompt": ["a"], "messages": [{"role": "user", "content": "a"}]}}"#, "inputs.prompt"),
    ])
    func unreadableModelInputFailsNamingTheField(_ json: String, _ field: String) {
        let error = self.error(decoding: json)
        #expect(error?.code == .wrongFieldType)
        #expect(error?.field == field)
        #expect(error?.jobID == "m")
        #expect(error?.message.contains(field) == true)
    }

    @Test func aJobWithoutAnyModelInputNamesAllThree() {
        let error = self.error(decoding: #"{"job_id": "m", "max_tokens": 5, "stream": true}"#)
        #expect(error?.code == .missingFeatures)
        #expect(error?.message.contains("prompt") == true && error?.message.contains("messages") == true)
    }

    @Test(arguments: [
        (#"{"job_id": "w", "prompt": "x", "max_tokens": "20"}"#, "max_tokens", "wrong_field_type"),
        (#"{"job_id": "w", "prompt": "x", "max_tokens": 0}"#, "max_tokens", "invalid_value"),
        (#"{"job_id": "w", "inputs": {"prompt": "x", "max_tokens": 2.5}}"#, "inputs.max_tokens", "wrong_field_type"),
        (#"{"job_id": "w", "prompt": "x", "stream": "yes"}"#, "stream", "wrong_field_type"),
    ])
    func unreadableMaxTokensAndStreamAreIgnoredAndReported(_ json: String, _ field: String, _ reason: String) throws {
        var ignored: [JobDecodingError] = []
        let job = try self.decode(json, ignoredFields: &ignored)
        #expect(job.inputs.prompt == "x" && job.inputs.maxTokens == nil && !job.stream)
        #expect(ignored.map(\.field) == [field])
        #expect(ignored.first?.reason == reason)
        #expect(job.extra.isEmpty && job.inputs.extra.isEmpty)
    }

    // MARK: Stream chunks

    @Test func streamChunksRoundTrip() throws {
        let chunk = StreamChunk(jobID: "g-1", attempt: 2, run: "worker-a/7", index: 12, tokens: ["", " wör\"ld", "\n", "😀"])
        let bytes = JobCodec.encode(chunk)
        #expect(try JobCodec.decodeStreamChunk(bytes) == chunk)
        #expect(String(decoding: JobCodec.encode(StreamChunk(jobID: "j", attempt: 1, run: "r", index: 0, tokens: ["a", " b"])), as: UTF8.self)
            == #"{"job_id":"j","attempt":1,"run":"r","index":0,"tokens":["a"," b"]}"#)
        let extra = try JobCodec.decodeStreamChunk(Array(#"{"job_id":"j","attempt":1,"run":"r","index":0,"tokens":[],"trace":1}"#.utf8))
        #expect(extra.tokens.isEmpty)
    }

    @Test(arguments: [
        (#"{"attempt":1,"run":"r","index":0,"tokens":[]}"#, "missing_job_id", "job_id"),
        (#"{"job_id":"j","run":"r","index":0,"tokens":[]}"#, "missing_field", "attempt"),
        (#"{"job_id":"j","attempt":1,"index":0,"tokens":[]}"#, "missing_field", "run"),
        (#"{"job_id":"j","attempt":1,"run":"r","tokens":[]}"#, "missing_field", "index"),
        (#"{"job_id":"j","attempt":1,"run":"r","index":-1,"tokens":[]}"#, "invalid_value", "index"),
        (#"{"job_id":"j","attempt":1,"run":"r","index":0}"#, "missing_field", "tokens"),
        (#"{"job_id":"j","attempt":1,"run":"r","index":0,"tokens":"abc"}"#, "wrong_field_type", "tokens"),
        (#"{"job_id":"j","attempt":1,"run":"r","index":0,"tokens":["a",1]}"#, "wrong_field_type", "tokens"),
        (#"{"job_id":"j","attempt":"1","run":"r","index":0,"tokens":[]}"#, "wrong_field_type", "attempt"),
    ])
    func badChunksNameTheirField(_ json: String, _ reason: String, _ field: String) {
        do {
            _ = try JobCodec.decodeStreamChunk(Array(json.utf8))
            Issue.record("decoded \(json)")
        } catch {
            #expect(error.reason == reason)
            #expect(error.field == field)
        }
    }

    @Test func chunksThatAreNotJSONObjectsAreRefused() {
        for bytes: [UInt8]? in [nil, [], Array("[1]".utf8), Array("{".utf8)] {
            #expect(throws: JobDecodingError.self) { try JobCodec.decodeStreamChunk(bytes) }
        }
    }
}
