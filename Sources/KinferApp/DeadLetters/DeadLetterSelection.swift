import Foundation
import InferenceJobs

/// Which dead letters `kinfer dlq list` and `kinfer dlq replay` act on: by error class and by the time each was
/// written. Here rather than in the command so that replay selects in the library what the list shows.
public struct DeadLetterSelection: Sendable {
    /// Error classes to keep; empty keeps every class.
    public var errorClasses: [String]
    /// Keep dead letters written at or after this time.
    public var since: Date?
    /// Keep dead letters written before this time.
    public var until: Date?

    public init(errorClasses: [String] = [], since: Date? = nil, until: Date? = nil) {
        self.errorClasses = errorClasses
        self.since = since
        self.until = until
    }

    /// Whether `letter` passes every given filter.
    public func matches(_ letter: DeadLetter) -> Bool {
        if !errorClasses.isEmpty && !errorClasses.contains(letter.errorClass ?? "") { return false }
        if let since, (letter.time ?? .distantPast) < since { return false }
        if let until, (letter.time ?? .distantPast) >= until { return false }
        return true
    }

    /// An RFC 3339 time, or `now` minus an age like `30m` (units s, m, h, d); `nil` when `text` is neither.
    public static func time(_ text: String, now: Date) -> Date? {
        if let date = JobTimestamp.parse(text) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 else { return nil }
        return now.addingTimeInterval(-amount * unit)
    }
}
