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

    /// Parses `bytes` as one JSON object, or says precisely why it cannot.
    static func parseObject(_ bytes: [UInt8]?, maxBytes: Int) throws(JobDecodingError) -> [String: JSONValue] {
        guard let bytes, !bytes.isEmpty else {
            throw JobDecodingError(code: .emptyMessage, message: "the message has no value")
        }
        guard bytes.count <= maxBytes else {
            throw JobDecodingError(
                code: .oversized,
                message: "the message has \(bytes.count) bytes, more than the limit of \(maxBytes)"
            )
        }
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParser.SyntaxError) in try JSONParser.parse(buffer) }
        }
        switch parsed {
        case .failure(let syntaxError):
            throw JobDecodingError(
                code: .notJSON,
                message: "not valid JSON: \(syntaxError.message) at byte \(syntaxError.offset)"
            )
        case .success(.object(let object)):
            return object
        case .success:
            throw JobDecodingError(code: .notAnObject, message: "the JSON value is not an object")
        }
    }
}
