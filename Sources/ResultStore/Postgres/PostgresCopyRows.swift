import InferenceJobs
import NIOCore

/// Rows in the text format of `COPY inference_results (…) FROM STDIN`: the fast way to store a batch of new jobs.
///
/// `COPY` costs PostgreSQL less server time than the `unnest` insert (`PostgresBatchInsert`) for the same rows
/// (figures in `docs/benchmarks.md`, "Measurements behind design choices"), because it skips `ON CONFLICT`'s
/// speculative insertion and inserts many rows per call. It has no
/// `ON CONFLICT`, though: a row for a job that already has one fails the whole `COPY`, and the store then writes the
/// batch again through the idempotent insert. Columns are separated by tabs and rows end with a newline; in text a
/// backslash, tab, newline or carriage return is escaped with a backslash, and `\N` is `NULL`, so an empty string
/// and `NULL` stay apart.
enum PostgresCopyRows {
    static let table = "inference_results"
    static let columns = [
        "job_id", "status", "label", "confidence", "output", "error_class", "error_message", "attempts",
        "model", "model_version", "worker", "submitted_at", "started_at", "completed_at",
        "source_partition", "source_offset",
    ]

    /// The rows as `COPY` text, or `nil` when a timestamp lies outside the years 1 to 9999, which this encoder
    /// does not write (the idempotent insert stores it instead).
    static func text(for rows: [ResultRow]) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: rows.count * 384)
        for row in rows {
            buffer.writeCopyText(row.jobID)
            buffer.writeTab()
            buffer.writeCopyText(row.status)
            buffer.writeTab()
            buffer.writeCopyText(row.label)
            buffer.writeTab()
            if let confidence = row.confidence { buffer.writeCopyNumber(confidence) } else { buffer.writeCopyNull() }
            buffer.writeTab()
            buffer.writeCopyText(row.outputJSON)
            buffer.writeTab()
            buffer.writeCopyText(row.errorClass)
            buffer.writeTab()
            buffer.writeCopyText(row.errorMessage)
            buffer.writeTab()
            buffer.writeString(String(row.attempts))
            buffer.writeTab()
            buffer.writeCopyText(row.model)
            buffer.writeTab()
            buffer.writeCopyText(row.modelVersion)
            buffer.writeTab()
            buffer.writeCopyText(row.worker)
            buffer.writeTab()
            guard buffer.writeCopyTimestamp(row.submittedAt) else { return nil }
            buffer.writeTab()
            if let startedAt = row.startedAt {
                guard buffer.writeCopyTimestamp(startedAt) else { return nil }
            } else {
                buffer.writeCopyNull()
            }
            buffer.writeTab()
            guard buffer.writeCopyTimestamp(row.completedAt) else { return nil }
            buffer.writeTab()
            buffer.writeString(String(row.sourcePartition))
            buffer.writeTab()
            buffer.writeString(String(row.sourceOffset))
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        return buffer
    }
}

extension ByteBuffer {
    fileprivate mutating func writeTab() {
        self.writeInteger(UInt8(ascii: "\t"))
    }

    fileprivate mutating func writeCopyNull() {
        self.writeStaticString("\\N")
    }

    fileprivate mutating func writeCopyText(_ text: String?) {
        guard var text else { return self.writeCopyNull() }
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() {
                let escaped: UInt8
                switch byte {
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
                case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
                default: continue
                }
                self.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<index]))
                self.writeInteger(UInt8(ascii: "\\"))
                self.writeInteger(escaped)
                start = index + 1
            }
            self.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start...]))
        }
    }

    /// Swift's shortest form that reads back as the same `Double`, which `float8in` accepts; PostgreSQL's own
    /// spellings for the non-finite values.
    fileprivate mutating func writeCopyNumber(_ number: Double) {
        if number.isNaN {
            self.writeStaticString("NaN")
        } else if number.isInfinite {
            self.writeStaticString(number > 0 ? "Infinity" : "-Infinity")
        } else {
            self.writeString(number.description)
        }
    }

    /// Writes `YYYY-MM-DD HH:MM:SS.ffffff+00`, which every `DateStyle` reads the same; `false`, having written
    /// nothing, outside the years 1 to 9999.
    fileprivate mutating func writeCopyTimestamp(_ unixMicroseconds: Int64) -> Bool {
        let microsecondsPerDay: Int64 = 86_400_000_000
        let (quotient, remainder) = unixMicroseconds.quotientAndRemainder(dividingBy: microsecondsPerDay)
        let days = remainder < 0 ? quotient - 1 : quotient
        let ofDay = remainder < 0 ? remainder + microsecondsPerDay : remainder
        let (year, month, day) = JobTimestamp.civilDate(fromDaysSince1970: days)
        guard (1...9999).contains(year) else { return false }
        let seconds = ofDay / 1_000_000
        self.writeWithUnsafeMutableBytes(minimumWritableBytes: 29) { bytes in
            func put(_ value: Int64, digits: Int, at end: Int) {
                JobTimestamp.writeDigits(value, count: digits, endingAt: end, in: bytes)
            }
            put(year, digits: 4, at: 4)
            bytes[4] = UInt8(ascii: "-")
            put(month, digits: 2, at: 7)
            bytes[7] = UInt8(ascii: "-")
            put(day, digits: 2, at: 10)
            bytes[10] = UInt8(ascii: " ")
            put(seconds / 3_600, digits: 2, at: 13)
            bytes[13] = UInt8(ascii: ":")
            put(seconds / 60 % 60, digits: 2, at: 16)
            bytes[16] = UInt8(ascii: ":")
            put(seconds % 60, digits: 2, at: 19)
            bytes[19] = UInt8(ascii: ".")
            put(ofDay % 1_000_000, digits: 6, at: 26)
            bytes[26] = UInt8(ascii: "+")
            bytes[27] = UInt8(ascii: "0")
            bytes[28] = UInt8(ascii: "0")
            return 29
        }
        return true
    }
}
