import Foundation

extension JobCodec {
    /// Decodes a job from a Kafka message value, in either accepted shape.
    ///
    /// The canonical shape carries the payload in `inputs` (`{"job_id", "inputs": {"features": [...]}, ...}`). The
    /// plain shape Python services often send has `features` and `image_url` at the top level instead. When `inputs`
    /// is present the job is canonical, and top-level `features` or `image_url` are unknown fields like any other.
    ///
    /// Only what a job cannot run without makes it fail: a readable `job_id` and the model's input. Metadata never
    /// does: an optional field that cannot be read (`submitted_at: "yesterday"`, `attempt: 0`, `model: 3`) is
    /// ignored, read as absent (`submitted_at` as `fallbackSubmittedAt`), and reported in `ignoredFields`, so that the
    /// worker can run the job, warn and count it.
    ///
    /// - Parameters:
    ///   - bytes: The message value; `nil` for a tombstone.
    ///   - fallbackSubmittedAt: Used when the message has no readable `submitted_at`; pass the Kafka message timestamp.
    ///   - maxBytes: Messages larger than this are refused unread. Defaults to `defaultMaxBytes` (1 MiB).
    ///   - ignoredFields: Receives one error for each optional field that was present but unreadable, naming it.
    ///   - fallbackJobID: The ID of a job whose message has no `job_id` (or `null`); `nil` refuses such a job. The
    ///     gateway passes the ID it made for a body without one.
    /// - Throws: `JobDecodingError`, carrying the job ID whenever `job_id` could be read.
    public static func decodeJob(
        _ bytes: UnsafeRawBufferPointer?,
        fallbackSubmittedAt: Date,
        maxBytes: Int = JobCodec.defaultMaxBytes,
        ignoredFields: inout [JobDecodingError],
        fallbackJobID: String? = nil
    ) throws(JobDecodingError) -> InferenceJob {
        try self.readObject(bytes, maxBytes: maxBytes) { reader throws(JobDecodingError) in
            guard let jobID = try reader.identifier("job_id") ?? fallbackJobID else {
                throw reader.missing("job_id", code: .missingJobID)
            }
            guard !jobID.isEmpty else { throw reader.invalid("job_id", "must not be empty") }
            reader.jobID = jobID

            let inputs: ModelInput
            if var inputsReader = try reader.object("inputs") {
                var canonicalInputs = try self.readInputs(from: &inputsReader, ignoredFields: &ignoredFields)
                canonicalInputs.extra = inputsReader.remaining
                inputs = canonicalInputs
            } else {
                inputs = try self.readInputs(from: &reader, ignoredFields: &ignoredFields)
            }

            let model = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.string("model") }
            let submittedAt = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.timestamp("submitted_at") }
            let deadline = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.timestamp("deadline") }
            let timeoutMs = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.milliseconds("timeout_ms") }
            let callbackURL = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.string("callback_url") }
            let stream = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.bool("stream") } ?? false
            var attempt = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.integer("attempt") } ?? 1
            if attempt < 1 {
                ignoredFields.append(reader.invalid("attempt", "must be at least 1"))
                attempt = 1
            }

            return InferenceJob(
                jobID: jobID,
                model: model,
                inputs: inputs,
                submittedAt: submittedAt ?? fallbackSubmittedAt,
                deadline: deadline,
                timeoutMs: timeoutMs,
                callbackURL: callbackURL,
                attempt: attempt,
                stream: stream,
                extra: reader.remaining
            )
        }
    }

    /// ``decodeJob(_:fallbackSubmittedAt:maxBytes:ignoredFields:fallbackJobID:)`` for a caller that does not report ignored fields.
    public static func decodeJob(
        _ bytes: UnsafeRawBufferPointer?,
        fallbackSubmittedAt: Date,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> InferenceJob {
        var ignored: [JobDecodingError] = []
        return try self.decodeJob(bytes, fallbackSubmittedAt: fallbackSubmittedAt, maxBytes: maxBytes, ignoredFields: &ignored)
    }

    /// ``decodeJob(_:fallbackSubmittedAt:maxBytes:ignoredFields:fallbackJobID:)`` of an array's bytes, or of `nil`.
    public static func decodeJob(
        _ bytes: [UInt8]?,
        fallbackSubmittedAt: Date,
        maxBytes: Int = JobCodec.defaultMaxBytes,
        ignoredFields: inout [JobDecodingError],
        fallbackJobID: String? = nil
    ) throws(JobDecodingError) -> InferenceJob {
        try self.withBytes(bytes) { raw throws(JobDecodingError) in
            try self.decodeJob(
                raw, fallbackSubmittedAt: fallbackSubmittedAt, maxBytes: maxBytes, ignoredFields: &ignoredFields,
                fallbackJobID: fallbackJobID
            )
        }
    }

    /// ``decodeJob(_:fallbackSubmittedAt:maxBytes:ignoredFields:fallbackJobID:)`` of an array's bytes, not reporting ignored fields.
    public static func decodeJob(
        _ bytes: [UInt8]?,
        fallbackSubmittedAt: Date,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> InferenceJob {
        var ignored: [JobDecodingError] = []
        return try self.decodeJob(bytes, fallbackSubmittedAt: fallbackSubmittedAt, maxBytes: maxBytes, ignoredFields: &ignored)
    }

    /// Encodes `job` in the canonical shape, unknown fields included.
    public static func encode(_ job: InferenceJob) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + job.inputs.features.count * 8)
        writer.raw("{\"job_id\":")
        writer.string(job.jobID)
        if let model = job.model {
            writer.raw(",\"model\":")
            writer.string(model)
        }
        writer.raw(",\"inputs\":")
        self.write(job.inputs, to: &writer)
        writer.raw(",\"submitted_at\":")
        writer.timestamp(job.submittedAt)
        if let deadline = job.deadline {
            writer.raw(",\"deadline\":")
            writer.timestamp(deadline)
        }
        if let timeoutMs = job.timeoutMs {
            writer.raw(",\"timeout_ms\":")
            writer.integer(timeoutMs)
        }
        if let callbackURL = job.callbackURL {
            writer.raw(",\"callback_url\":")
            writer.string(callbackURL)
        }
        writer.raw(",\"attempt\":")
        writer.integer(job.attempt)
        if job.stream { writer.raw(",\"stream\":true") }
        writer.extraFields(job.extra, skipping: self.jobKeys)
        writer.raw("}")
        return writer.bytes
    }

    /// The keys `encode(_: InferenceJob)` writes itself; an `extra` entry with one of these names is not written.
    private static let jobKeys: Set<String> = [
        "job_id", "model", "inputs", "submitted_at", "deadline", "timeout_ms", "callback_url", "attempt", "stream",
    ]
    private static let inputKeys: Set<String> = ["features", "image_url", "prompt", "messages", "max_tokens"]

    /// Writes the `inputs` object: `features` whenever the job is not purely generative, so that a classifier's job
    /// reads as it always has.
    private static func write(_ inputs: ModelInput, to writer: inout JSONWriter) {
        var wroteKey = false
        func key(_ name: StaticString) {
            writer.raw(wroteKey ? "," : "{")
            writer.raw(name)
            wroteKey = true
        }
        if !inputs.features.isEmpty || (inputs.prompt == nil && inputs.messages == nil) {
            key("\"features\":")
            writer.numbers(inputs.features)
        }
        if let imageURL = inputs.imageURL {
            key("\"image_url\":")
            writer.string(imageURL)
        }
        if let prompt = inputs.prompt {
            key("\"prompt\":")
            writer.string(prompt)
        }
        if let messages = inputs.messages {
            key("\"messages\":")
            writer.raw("[")
            for (index, message) in messages.enumerated() {
                writer.raw(index == 0 ? "{\"role\":" : ",{\"role\":")
                writer.string(message.role)
                writer.raw(",\"content\":")
                writer.string(message.content)
                writer.raw("}")
            }
            writer.raw("]")
        }
        if let maxTokens = inputs.maxTokens {
            key("\"max_tokens\":")
            writer.integer(maxTokens)
        }
        writer.extraFields(inputs.extra, skipping: self.inputKeys)
        writer.raw("}")
    }

    /// Reads the model's input from the `inputs` object or, in the plain shape, from the job itself: `features` for a
    /// classifier, `prompt` or `messages` for a generative model; one of them is required. An unreadable `image_url`
    /// or `max_tokens` is ignored like any optional field.
    private static func readInputs(
        from reader: inout JSONFieldReader,
        ignoredFields: inout [JobDecodingError]
    ) throws(JobDecodingError) -> ModelInput {
        let prompt = try reader.string("prompt")
        let messages = try self.readMessages(from: &reader)
        let features = try reader.numbers("features", code: .nonNumericFeatures)
        guard features != nil || prompt != nil || messages != nil else { throw reader.missingModelInput() }
        let imageURL = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.string("image_url") }
        var maxTokens = reader.optional(&ignoredFields) { field throws(JobDecodingError) in try field.integer("max_tokens") }
        if let requested = maxTokens, requested < 1 {
            ignoredFields.append(reader.invalid("max_tokens", "must be at least 1"))
            maxTokens = nil
        }
        return ModelInput(features: features ?? [], imageURL: imageURL, prompt: prompt, messages: messages, maxTokens: maxTokens)
    }

    /// `messages`: an array of `{"role", "content"}` objects with string values; other members of a message are
    /// not kept.
    private static func readMessages(from reader: inout JSONFieldReader) throws(JobDecodingError) -> [ChatMessage]? {
        guard let value = reader.take("messages") else { return nil }
        guard case .array(let elements) = value else { throw reader.wrongType("messages", expected: "an array of messages") }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .object(let members) = element,
                  case .string(let role)? = members["role"],
                  case .string(let content)? = members["content"]
            else {
                throw reader.wrongType("messages[\(index)]", expected: "an object with string `role` and `content`")
            }
            messages.append(ChatMessage(role: role, content: content))
        }
        return messages
    }
}
