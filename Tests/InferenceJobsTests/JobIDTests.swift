import Foundation
import InferenceJobs
import Testing

@Suite struct JobIDTests {
    @Test func isALowercaseUUIDv7() throws {
        let id = JobID.make()
        #expect(id.count == 36)
        #expect(id == id.lowercased())
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuid.6 >> 4 == 7)
        #expect(uuid.uuid.8 >> 6 == 0b10)
    }

    /// Later than any ID made so far in this process, so the clock's own time is used rather than a borrowed one.
    @Test func startsWithTheMillisecondTimestamp() {
        let milliseconds = Int64((Date().timeIntervalSince1970 + 86_400) * 1000)
        let id = JobID.make(now: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        let hex = String(milliseconds, radix: 16).leftPadded(to: 12)
        #expect(id.hasPrefix(hex.prefix(8) + "-" + hex.suffix(4)))
    }

    @Test func increasesStrictlyWithinOneProcess() {
        let now = Date()
        let ids = (0..<10_000).map { _ in JobID.make(now: now) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - self.count)) + self
    }
}
