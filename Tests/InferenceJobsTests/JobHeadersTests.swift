import Foundation
import InferenceJobs
import Testing

@Suite struct JobHeadersTests {
    @Test func notBeforeIsWrittenAsATimestampAndReadInEitherForm() {
        let date = Date(timeIntervalSince1970: 1_795_916_811.123)
        #expect(JobHeaders.notBeforeValue(date) == "2026-11-29T01:46:51.123Z")
        #expect(JobHeaders.notBefore(from: JobHeaders.notBeforeValue(date)) == date)
        #expect(JobHeaders.notBefore(from: "1795916811123") == date)
        #expect(JobHeaders.notBefore(from: "soon") == nil)
    }

    @Test func namesAreDistinctLowercaseAndPrefixed() {
        let names = [
            JobHeaders.contentType, JobHeaders.schemaVersion, JobHeaders.traceparent, JobHeaders.attempt,
            JobHeaders.notBefore, JobHeaders.errorClass, JobHeaders.errorMessage, JobHeaders.originalTopic,
            JobHeaders.originalPartition, JobHeaders.originalOffset, JobHeaders.replayedAt,
        ]
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0 == $0.lowercased() })
        #expect(names.filter { $0.hasPrefix("kinfer-") }.count == names.count - 2)
    }
}
