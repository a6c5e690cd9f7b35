import Foundation
import InferenceJobs
import NIOCore
import Testing

@testable import ResultStore

/// The `COPY` text the PostgreSQL store sends for a batch of new jobs: a wrong escape shifts columns or changes
/// text, so the exact bytes are checked here and their round trip through a server in `PostgresCopyTests`.
@Suite("PostgreSQL COPY text")
struct PostgresCopyRowsTests {
    static func row(
        jobID: String = "job-1",
        label: String? = nil,
        confidence: Double? = nil,
        outputJSON: String? = nil,
        errorClass: String? = nil,
        errorMessage: String? = nil,
        submittedAt: Int64 = 0,
        startedAt: Int64? = nil,
        completedAt: Int64 = 0
    ) -> ResultRow {
        var row = ResultRow(
            jobID: jobID, status: "completed", outputJSON: outputJSON, errorClass: errorClass, errorMessage: errorMessage,
            attempts: 2, model: "digits", modelVersion: "1", worker: "w", submittedAt: submittedAt, startedAt: startedAt,
            completedAt: completedAt, sourcePartition: 7, sourceOffset: 9_000_000_000
        )
        row.label = label
        row.confidence = confidence
        return row
    }

    static func text(_ rows: [ResultRow]) -> String? {
        PostgresCopyRows.text(for: rows).map { String(buffer: $0) }
    }

    @Test("Backslash, tab, newline and carriage return are escaped; quotes and non-ASCII pass as they are")
    func escapes() {
        let row = Self.row(
            jobID: "a\tb\\c\nd\re\"f'g-ünï-🙂",
            label: "\\N",
            outputJSON: #"{"label":"x\"y\\z"}"#,
            errorClass: "fatal",
            errorMessage: "bell\u{07} vt\u{0B}"
        )
        #expect(
            Self.text([row]) == "a\\tb\\\\c\\nd\\re\"f'g-ünï-🙂\tcompleted\t\\\\N\t\\N\t{\"label\":\"x\\\\\"y\\\\\\\\z\"}\tfatal\t"
                + "bell\u{07} vt\u{0B}\t2\tdigits\t1\tw\t1970-01-01 00:00:00.000000+00\t\\N\t"
                + "1970-01-01 00:00:00.000000+00\t7\t9000000000\n"
        )
    }

    @Test("NULL is \\N and the empty string is an empty column")
    func nullIsNotEmpty() throws {
        let text = try #require(Self.text([Self.row(label: "", errorClass: nil, errorMessage: "")]))
        let columns = text.dropLast().split(separator: "\t", omittingEmptySubsequences: false)
        #expect(columns.count == PostgresCopyRows.columns.count)
        #expect(columns[2] == "")  // label
        #expect(columns[3] == "\\N")  // confidence
        #expect(columns[4] == "\\N")  // output
        #expect(columns[5] == "\\N")  // error_class
        #expect(columns[6] == "")  // error_message
    }

    @Test("Numbers in their shortest exact form, non-finite ones in PostgreSQL's spelling")
    func numbers() {
        let confidences: [(Double, String)] = [
            (0.1, "0.1"), (0.30000000000000004, "0.30000000000000004"), (1e-300, "1e-300"), (-0.0, "-0.0"),
            (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
        ]
        for (confidence, expected) in confidences {
            let columns = Self.text([Self.row(confidence: confidence)])?.split(separator: "\t")
            #expect(columns?[3] == Substring(expected), "\(confidence)")
        }
    }

    @Test("Timestamps to the microsecond, before 1970 too; outside the years 1 to 9999 the batch gets no COPY text")
    func timestamps() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01 00:00:00.000000+00"),
            (-1, "1969-12-31 23:59:59.999999+00"),
            (1_764_000_000_123_456, "2025-11-24 16:00:00.123456+00"),
            (951_782_400_000_000, "2000-02-29 00:00:00.000000+00"),
            (-62_135_596_800_000_000, "0001-01-01 00:00:00.000000+00"),
            (253_402_300_799_999_999, "9999-12-31 23:59:59.999999+00"),
        ]
        for (microseconds, expected) in cases {
            let columns = Self.text([Self.row(startedAt: microseconds)])?.split(separator: "\t")
            #expect(columns?[12] == Substring(expected), "\(microseconds)")
        }
        #expect(Self.text([Self.row(), Self.row(completedAt: 253_402_300_800_000_000)]) == nil)
        #expect(Self.text([Self.row(submittedAt: -62_135_596_800_000_001)]) == nil)
    }
}
