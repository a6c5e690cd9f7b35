import Foundation

extension JobCodec {
    /// Decodes a job from a Kafka message value, in either accepted shape.
    ///
    /// The canonical shape carries the payload in `inputs` (`{"job_id", "inputs": {"features": [...]}, ...}`). The
    /// plain shape Python services often send has `features` and `image_url` at the top level instead. When `inputs`
    /// is present the job is canonical, and top-level `features` or `image_url` are unknown fields like any other.
    ///
    /// - Parameters:
    ///   - bytes: The message value; `nil` for a tombstone.
    ///   - fallbackSubmittedAt: Used when the message has no `submitted_at`; pass the Kafka message timestamp.
    ///   - maxBytes: Messages larger than this are refused unread. Defaults to `defaultMaxBytes` (1 MiB).
    /// - Throws: `JobDecodingError`, carrying the job ID whenever `job_id` could be read.
    public static func decodeJob(
        _ bytes: [UInt8]?,
        fallbackSubmittedAt: Date,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> InferenceJob {
        try self.withBytes(bytes) { raw throws(JobDecodingError) in
            try self.decodeJob(raw, fallbackSubmittedAt: fallbackSubmittedAt, maxBytes: maxBytes)
        }
    }

    /// ``decodeJob(_:fallbackSubmittedAt:maxBytes:)`` from bytes where they lie, e.g. inside a consumed message
    /// (`KafkaConsumerMessage.withUnsafeValue`), without copying them into an array first.
    public static func decodeJob(
        _ bytes: UnsafeRawBufferPointer?,
        fallbackSubmittedAt: Date,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> InferenceJob {
        try self.readObject(bytes, maxBytes: maxBytes) { reader throws(JobDecodingError) in
            guard let jobID = try reader.string("job_id") else {
                throw reader.missing("job_id", code: .missingJobID)
            }
            guard !jobID.isEmpty else { throw reader.invalid("job_id", "must not be empty") }
            reader.jobID = jobID

            let inputs: ModelInput
            if var inputsReader = try reader.object("inputs") {
                var canonicalInputs = try self.readInputs(from: &inputsReader)
                canonicalInputs.extra = inputsReader.remaining
                inputs = canonicalInputs
            } else {
                inputs = try self.readInputs(from: &reader)
            }

            let model = try reader.string("model")
            let submittedAt = try reader.timestamp("submitted_at") ?? fallbackSubmittedAt
            let deadline = try reader.timestamp("deadline")
            let timeoutMs = try reader.integer("timeout_ms")
            if let timeoutMs, timeoutMs < 0 { throw reader.invalid("timeout_ms", "must not be negative") }
            let callbackURL = try reader.string("callback_url")
            let attempt = try reader.integer("attempt") ?? 1
            guard attempt >= 1 else { throw reader.invalid("attempt", "must be at least 1") }

            return InferenceJob(
                jobID: jobID,
                model: model,
                inputs: inputs,
                submittedAt: submittedAt,
                deadline: deadline,
                timeoutMs: timeoutMs,
                callbackURL: callbackURL,
                attempt: attempt,
                extra: reader.remaining
            )
        }
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
        writer.raw(",\"inputs\":{\"features\":")
        writer.numbers(job.inputs.features)
        if let imageURL = job.inputs.imageURL {
            writer.raw(",\"image_url\":")
            writer.string(imageURL)
        }
        writer.extraFields(job.inputs.extra, skipping: self.inputKeys)
        writer.raw("},\"submitted_at\":")
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
        writer.extraFields(job.extra, skipping: self.jobKeys)
        writer.raw("}")
        return writer.bytes
    }

    /// The keys `encode(_: InferenceJob)` writes itself; an `extra` entry with one of these names is not written.
    private static let jobKeys: Set<String> = [
        "job_id", "model", "inputs", "submitted_at", "deadline", "timeout_ms", "callback_url", "attempt",
    ]
    private static let inputKeys: Set<String> = ["features", "image_url"]

    /// Reads `features` and `image_url` from the `inputs` object or, in the plain shape, from the job itself.
    private static func readInputs(from reader: inout JSONFieldReader) throws(JobDecodingError) -> ModelInput {
        guard let features = try reader.numbers("features", code: .nonNumericFeatures) else {
            throw reader.missing("features", code: .missingFeatures)
        }
        return ModelInput(features: features, imageURL: try reader.string("image_url"))
    }
}
