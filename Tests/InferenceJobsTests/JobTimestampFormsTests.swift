import Foundation
import InferenceJobs
import Testing

/// Jobs stamped the ways real producers stamp them, each read to the instant it names; and unreadable stamps, each
/// leaving a runnable job whose age comes from the Kafka message's timestamp.
@Suite("Timestamps in the forms producers write")
struct JobTimestampFormsTests {
    let fallback = Date(timeIntervalSince1970: 1_700_000_000.25)

    /// Whole microseconds since 1970, to compare instants exactly without `Double` noise below them.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1e6).rounded())
    }

    func decode(submittedAt literal: String) throws -> (InferenceJob, [JobDecodingError]) {
        var ignored: [JobDecodingError] = []
        let json = #"{"job_id": "t", "features": [1], "submitted_at": \#(literal)}"#
        let job = try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: self.fallback, ignoredFields: &ignored)
        return (job, ignored)
    }

    @Test(arguments: [
        // Python's time.time(), JavaScript's Date.now(), Java's System.currentTimeMillis(), time.time_ns()
        ("1764672000", 1_764_672_000_000_000),
        ("1764672000.123456", 1_764_672_000_123_456),
        ("1764672000123", 1_764_672_000_123_000),
        ("1764672000123456", 1_764_672_000_123_456),
        ("1764672000123456789", 1_764_672_000_123_457),
        ("1764672000.5e0", 1_764_672_000_500_000),
        ("0", 0),
        ("99999999999", 99_999_999_999_000_000),  // just below 1e11: still seconds (the year 5138)
        ("100000000000", 100_000_000_000_000),  // 1e11: milliseconds (1973-03-03)
        // the same numbers quoted
        (#""1764672000""#, 1_764_672_000_000_000),
        (#""1764672000.25""#, 1_764_672_000_250_000),
        // Python's datetime.isoformat(), naive (read as UTC) and aware; JavaScript's toISOString(); Java's
        // Instant.toString() and OffsetDateTime.toString() (which drops zero seconds)
        (#""2026-12-02T11:00:00""#, 1_796_209_200_000_000),
        (#""2026-12-02T11:00:00.123456""#, 1_796_209_200_123_456),
        (#""2026-12-02T11:00:00.123456+00:00""#, 1_796_209_200_123_456),
        (#""2026-12-02T16:30:00+05:30""#, 1_796_209_200_000_000),
        (#""2026-12-02T11:00:00.000Z""#, 1_796_209_200_000_000),
        (#""2026-12-02T11:00:00.123456789Z""#, 1_796_209_200_123_457),
        (#""2026-12-02T16:30+05:30""#, 1_796_209_200_000_000),
        (#""2026-12-02T06:00:00-0500""#, 1_796_209_200_000_000),
        (#""2026-12-02T12:00:00+01""#, 1_796_209_200_000_000),
        (#""2026-12-02 11:00:00.5""#, 1_796_209_200_500_000),
        (#""2026-12-02T11:00:00,25Z""#, 1_796_209_200_250_000),
        (#""2026-12-02""#, 1_796_169_600_000_000),
    ] as [(String, Int64)])
    func readsEachFormToItsInstant(_ literal: String, _ expectedMicroseconds: Int64) throws {
        let (job, ignored) = try self.decode(submittedAt: literal)
        #expect(ignored.isEmpty, "\(literal): \(ignored)")
        #expect(Self.microseconds(job.submittedAt) == expectedMicroseconds, "\(literal)")
    }

    @Test(arguments: [
        #""tomorrow""#, #""2026-13-02T11:00:00Z""#, #""10000-01-01T00:00:00Z""#, #""""#, "-1", "-1764672000.5",
        "1e300", "true", "[1764672000]", #"{"seconds": 1764672000}"#, #""1764672000.""#,
    ])
    func unreadableStampsLeaveARunnableJobAgedByTheMessage(_ literal: String) throws {
        let (job, ignored) = try self.decode(submittedAt: literal)
        #expect(job.submittedAt == self.fallback, "\(literal)")
        #expect(job.inputs.features == [1])
        #expect(ignored.map(\.field) == ["submitted_at"], "\(literal)")
        #expect(job.extra["submitted_at"] == nil, "an ignored field is not kept as an unknown one")
    }

    @Test func absentAndNullStampsUseTheMessageTimestampWithoutAWarning() throws {
        for literal in ["null"] {
            let (job, ignored) = try self.decode(submittedAt: literal)
            #expect(job.submittedAt == self.fallback)
            #expect(ignored.isEmpty)
        }
        var ignored: [JobDecodingError] = []
        let job = try JobCodec.decodeJob(Array(#"{"job_id": "t", "features": [1]}"#.utf8), fallbackSubmittedAt: self.fallback, ignoredFields: &ignored)
        #expect(job.submittedAt == self.fallback)
        #expect(ignored.isEmpty)
    }

    @Test func theLastInstantFourYearDigitsCanWriteIsReadable() throws {
        let (job, ignored) = try self.decode(submittedAt: #""9999-12-31T23:59:59.999Z""#)
        #expect(ignored.isEmpty)
        #expect(JobTimestamp.format(job.submittedAt) == "9999-12-31T23:59:59.999Z")
        #expect(JobTimestamp.date(sinceEpoch: 1e30) == nil, "past 9999 even as nanoseconds")
        #expect(JobTimestamp.date(sinceEpoch: Int.max).map(JobTimestamp.format) == "2262-04-11T23:47:16.855Z", "nanoseconds")
    }

    @Test func deadlinesReadTheSameForms() throws {
        var ignored: [JobDecodingError] = []
        let json = #"{"job_id": "d", "features": [1], "submitted_at": 1764672000.5, "deadline": 1764672030500}"#
        let job = try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: self.fallback, ignoredFields: &ignored)
        #expect(job.expiresAt.map(Self.microseconds) == 1_764_672_030_500_000)
        #expect(ignored.isEmpty)
    }

    @Test func theEncoderWritesTheCanonicalFormWhateverWasRead() throws {
        let (job, _) = try self.decode(submittedAt: "1764672000.123456")
        let text = String(decoding: JobCodec.encode(job), as: UTF8.self)
        #expect(text.contains(#""submitted_at":"2025-12-02T10:40:00.123Z""#), "\(text)")
    }

    /// `time.time()` values read and written back give the millisecond Python computes as
    /// `math.floor(t * 1000 + 0.5)`: the rule the end-to-end test holds results to.
    @Test func epochSecondsRoundToTheNearestMillisecondHalvesUp() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = 1_764_672_000 + Double.random(in: 0..<100_000, using: &generator)
            let (job, _) = try self.decode(submittedAt: "\(seconds)")
            let written = try #require(JobTimestamp.parse(JobTimestamp.format(job.submittedAt)))
            let expected = (seconds * 1000 + 0.5).rounded(.down)
            #expect(Int64((written.timeIntervalSince1970 * 1000).rounded()) == Int64(expected), "\(seconds)")
        }
    }
}
