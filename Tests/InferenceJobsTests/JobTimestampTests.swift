import Foundation
import InferenceJobs
import Testing

@Suite struct JobTimestampTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(JobTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(JobTimestamp.format(Date(timeIntervalSince1970: 1_795_916_811.123)) == "2026-11-29T01:46:51.123Z")
        #expect(JobTimestamp.format(Date(timeIntervalSince1970: 951_782_400.9996)) == "2000-02-29T00:00:01.000Z")
        #expect(JobTimestamp.format(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
    }

    @Test(arguments: [
        ("2026-11-29T01:46:51.123Z", 1_795_916_811.123),
        ("2026-11-29T01:46:51Z", 1_795_916_811),
        ("2026-11-29t01:46:51.1z", 1_795_916_811.1),
        ("2026-11-29 01:46:51.123456789Z", 1_795_916_811.123456789),
        ("2026-11-29T03:16:51.123+01:30", 1_795_916_811.123),
        ("2026-11-28T20:46:51.123-05:00", 1_795_916_811.123),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
    ])
    func parsesRFC3339(_ text: String, _ secondsSince1970: Double) throws {
        let date = try #require(JobTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - secondsSince1970) < 1e-6)
    }

    @Test(arguments: [
        "", "2026-11-29T", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-29T24:00:00Z",
        "2026-11-29T01:46:51.Z", "2026-11-29T01:46:51+01:0", "2026-11-29T01:46:51Z ", "2026-11-29T01:46:51+24:00",
        "2026-11-29T01:60:00Z", "2026-11-29T01", "10000-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "tomorrow",
        "1764380811.", ".5", "1.2.3", "-1764380811", "1e9", "２０２６-11-29T01:46:51Z",
    ])
    func rejectsOtherForms(_ text: String) {
        #expect(JobTimestamp.parse(text) == nil)
    }

    @Test func millisecondTimestampsRoundTripExactly() {
        for milliseconds in stride(from: Int64(1_764_380_811_000), to: 1_764_380_812_000, by: 7) {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(JobTimestamp.parse(JobTimestamp.format(date)) == date)
        }
    }
}
