import Foundation

extension JobCodec {
    /// Encodes `result`; keys are written in a fixed order, `nil` optionals omitted.
    ///
    /// A classification carries its `label` and `confidence` twice: inside `output`, with the scores, and at the
    /// top level, where consumers written for the flat result of the common Kafka-worker example
    /// (`{"job_id", "label", "confidence", "completed_at"}`) read them without change. The decoder reads `output`.
    ///
    /// Non-finite model scores, which JSON cannot express, are written as `null` (and read back as NaN).
    public static func encode(_ result: JobResult) -> [UInt8] {
        var writer = JSONWriter(capacity: 512 + (result.output?.classification?.scores.count ?? 0) * 24 + (result.output?.generatedText?.text.utf8.count ?? 0))
        writer.raw("{\"job_id\":")
        writer.string(result.jobID)
        writer.raw(",\"status\":")
        writer.string(result.status.rawValue)
        switch result.output {
        case .classification(let output)?:
            writer.raw(",\"label\":")
            writer.string(output.label)
            writer.raw(",\"confidence\":")
            writer.number(output.confidence)
            writer.raw(",\"output\":{\"label\":")
            writer.string(output.label)
            writer.raw(",\"confidence\":")
            writer.number(output.confidence)
            writer.raw(",\"scores\":")
            writer.numbers(output.scores)
            writer.raw("}")
        case .text(let output)?:
            writer.raw(",\"output\":{\"text\":")
            writer.string(output.text)
            writer.raw(",\"tokens\":")
            writer.integer(output.tokens)
            writer.raw(",\"finish_reason\":")
            writer.string(output.finishReason)
            writer.raw("}")
        case nil:
            break
        }
        if let error = result.error {
            writer.raw(",\"error\":{\"class\":")
            writer.string(error.errorClass.rawValue)
            writer.raw(",\"message\":")
            writer.string(error.message)
            writer.raw("}")
        }
        writer.raw(",\"attempts\":")
        writer.integer(result.attempts)
        writer.raw(",\"model\":")
        writer.string(result.model)
        writer.raw(",\"model_version\":")
        writer.string(result.modelVersion)
        writer.raw(",\"worker\":")
        writer.string(result.worker)
        writer.raw(",\"submitted_at\":")
        writer.timestamp(result.submittedAt)
        if let startedAt = result.startedAt {
            writer.raw(",\"started_at\":")
            writer.timestamp(startedAt)
        }
        writer.raw(",\"completed_at\":")
        writer.timestamp(result.completedAt)
        if let callbackURL = result.callbackURL {
            writer.raw(",\"callback_url\":")
            writer.string(callbackURL)
        }
        writer.raw("}")
        return writer.bytes
    }

    /// Decodes a result from a message of the results topic; unknown fields are ignored.
    ///
    /// - Parameters:
    ///   - bytes: The message value.
    ///   - maxBytes: Messages larger than this are refused unread. Defaults to `defaultMaxBytes` (1 MiB).
    /// - Throws: `JobDecodingError`, carrying the job ID whenever `job_id` could be read.
    public static func decodeResult(
        _ bytes: [UInt8]?,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> JobResult {
        try self.withBytes(bytes) { raw throws(JobDecodingError) in try self.decodeResult(raw, maxBytes: maxBytes) }
    }

    /// ``decodeResult(_:maxBytes:)`` from bytes where they lie, e.g. inside a consumed message
    /// (`KafkaConsumerMessage.withUnsafeValue`), without copying them into an array first.
    public static func decodeResult(
        _ bytes: UnsafeRawBufferPointer?,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> JobResult {
        try self.readObject(bytes, maxBytes: maxBytes) { reader throws(JobDecodingError) in
            guard let jobID = try reader.string("job_id") else {
                throw reader.missing("job_id", code: .missingJobID)
            }
            reader.jobID = jobID

            guard let statusText = try reader.string("status") else { throw reader.missing("status") }
            guard let status = JobStatus(rawValue: statusText) else {
                throw reader.invalid("status", "must be one of completed, failed, expired")
            }
            var output: ModelOutput?
            if var outputReader = try reader.object("output") {
                output = try self.readOutput(from: &outputReader)
            }
            var error: JobError?
            if var errorReader = try reader.object("error") {
                error = try self.readError(from: &errorReader)
            }
            guard let attempts = try reader.integer("attempts") else { throw reader.missing("attempts") }
            guard let model = try reader.string("model") else { throw reader.missing("model") }
            guard let modelVersion = try reader.string("model_version") else { throw reader.missing("model_version") }
            guard let worker = try reader.string("worker") else { throw reader.missing("worker") }
            guard let submittedAt = try reader.timestamp("submitted_at") else { throw reader.missing("submitted_at") }
            let startedAt = try reader.timestamp("started_at")
            guard let completedAt = try reader.timestamp("completed_at") else { throw reader.missing("completed_at") }
            let callbackURL = try reader.string("callback_url")

            return JobResult(
                jobID: jobID,
                status: status,
                output: output,
                error: error,
                attempts: attempts,
                model: model,
                modelVersion: modelVersion,
                worker: worker,
                submittedAt: submittedAt,
                startedAt: startedAt,
                completedAt: completedAt,
                callbackURL: callbackURL
            )
        }
    }

    /// Reads `output`: generated text when it has `text`, otherwise a classification.
    private static func readOutput(from reader: inout JSONFieldReader) throws(JobDecodingError) -> ModelOutput {
        if let text = try reader.string("text") {
            guard let tokens = try reader.integer("tokens") else { throw reader.missing("tokens") }
            let finishReason = try reader.string("finish_reason") ?? "stop"
            return .text(GeneratedText(text: text, tokens: tokens, finishReason: finishReason))
        }
        guard let label = try reader.string("label") else { throw reader.missing("label") }
        let confidence = try self.probability(reader.takeRaw("confidence"), "confidence", of: reader)
        // A null score stands for the non-finite value the encoder could not write.
        guard let scores = try reader.numbers("scores", code: .wrongFieldType, nullAs: .nan) else { throw reader.missing("scores") }
        return ModelOutput(label: label, confidence: confidence, scores: scores)
    }

    /// Reads a probability, where `null` stands for the non-finite value the encoder could not write.
    private static func probability(
        _ value: JSONValue?,
        _ key: String,
        of reader: JSONFieldReader
    ) throws(JobDecodingError) -> Double {
        switch value {
        case nil: throw reader.missing(key)
        case .null?: return .nan
        case .integer(let integer)?: return Double(integer)
        case .number(let number)?: return number
        case _?: throw reader.wrongType(key, expected: "a number")
        }
    }

    private static func readError(from reader: inout JSONFieldReader) throws(JobDecodingError) -> JobError {
        guard let errorClass = try reader.string("class") else { throw reader.missing("class") }
        guard let message = try reader.string("message") else { throw reader.missing("message") }
        return JobError(errorClass: JobErrorClass(rawValue: errorClass), message: message)
    }
}
