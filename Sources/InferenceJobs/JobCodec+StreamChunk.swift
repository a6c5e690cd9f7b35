extension JobCodec {
    /// Encodes `chunk` as `{"job_id","attempt","run","index","tokens":[…]}`.
    public static func encode(_ chunk: StreamChunk) -> [UInt8] {
        var writer = JSONWriter(capacity: 96 + chunk.jobID.utf8.count + chunk.tokens.reduce(0) { $0 + $1.utf8.count + 3 })
        writer.raw("{\"job_id\":")
        writer.string(chunk.jobID)
        writer.raw(",\"attempt\":")
        writer.integer(chunk.attempt)
        writer.raw(",\"run\":")
        writer.string(chunk.run)
        writer.raw(",\"index\":")
        writer.integer(chunk.index)
        writer.raw(",\"tokens\":[")
        for (position, token) in chunk.tokens.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.string(token)
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// Decodes a record of the stream topic; unknown fields are ignored.
    public static func decodeStreamChunk(
        _ bytes: UnsafeRawBufferPointer?,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> StreamChunk {
        try self.readObject(bytes, maxBytes: maxBytes) { reader throws(JobDecodingError) in
            guard let jobID = try reader.string("job_id") else { throw reader.missing("job_id", code: .missingJobID) }
            reader.jobID = jobID
            guard let attempt = try reader.integer("attempt") else { throw reader.missing("attempt") }
            guard let run = try reader.string("run") else { throw reader.missing("run") }
            guard let index = try reader.integer("index") else { throw reader.missing("index") }
            guard index >= 0 else { throw reader.invalid("index", "must not be negative") }
            guard let value = reader.take("tokens") else { throw reader.missing("tokens") }
            guard case .array(let elements) = value else { throw reader.wrongType("tokens", expected: "an array of strings") }
            var tokens: [String] = []
            tokens.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let token) = element else { throw reader.wrongType("tokens", expected: "an array of strings") }
                tokens.append(token)
            }
            return StreamChunk(jobID: jobID, attempt: attempt, run: run, index: index, tokens: tokens)
        }
    }

    /// ``decodeStreamChunk(_:maxBytes:)`` of an array's bytes, or of `nil`.
    public static func decodeStreamChunk(
        _ bytes: [UInt8]?,
        maxBytes: Int = JobCodec.defaultMaxBytes
    ) throws(JobDecodingError) -> StreamChunk {
        try self.withBytes(bytes) { raw throws(JobDecodingError) in try self.decodeStreamChunk(raw, maxBytes: maxBytes) }
    }
}
