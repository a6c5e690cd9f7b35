import Foundation

/// Reads and writes jobs and results as the JSON of the contract (`Schemas/job.schema.json`,
/// `Schemas/result.schema.json`).
///
/// Field names are snake_case; timestamps are written as RFC 3339 UTC with milliseconds (see `JobTimestamp`); optional
/// fields that are `nil` are omitted. Reading accepts `null` for any optional field, ignores unknown fields for logic,
/// and keeps a job's unknown fields in `extra` so that `encode` writes them back.
public enum JobCodec {
    /// The decoder's default size limit, 1 MiB: about Kafka's default `message.max.bytes`, far above any real job.
    public static let defaultMaxBytes = 1 << 20

    /// Reads `bytes` as one JSON object with `body`, or says precisely why it is not one.
    static func readObject<Value>(
        _ bytes: UnsafeRawBufferPointer?,
        maxBytes: Int,
        _ body: (inout JSONFieldReader) throws(JobDecodingError) -> Value
    ) throws(JobDecodingError) -> Value {
        guard let bytes, !bytes.isEmpty else {
            throw JobDecodingError(code: .emptyMessage, message: "the message has no value")
        }
        guard bytes.count <= maxBytes else {
            throw JobDecodingError(
                code: .oversized,
                message: "the message has \(bytes.count) bytes, more than the limit of \(maxBytes)"
            )
        }
        let buffer = bytes.assumingMemoryBound(to: UInt8.self)
        let members: [JSONParser.Member]?
        switch Result(catching: { () throws(JSONParser.SyntaxError) in try JSONParser.members(buffer) }) {
        case .success(let scanned): members = scanned
        case .failure(let error):
            throw JobDecodingError(code: .notJSON, message: "not valid JSON: \(error.message) at byte \(error.offset)")
        }
        guard let members else {
            throw JobDecodingError(code: .notAnObject, message: "the JSON value is not an object")
        }
        var reader = JSONFieldReader(buffer, members: members)
        return try body(&reader)
    }

    /// `read` of an array's bytes, or of `nil`.
    static func withBytes<Value>(
        _ bytes: [UInt8]?,
        _ read: (UnsafeRawBufferPointer?) throws(JobDecodingError) -> Value
    ) throws(JobDecodingError) -> Value {
        guard let bytes else { return try read(nil) }
        return try bytes.withUnsafeBytes { raw in Result { () throws(JobDecodingError) in try read(raw) } }.get()
    }
}
