import ArgumentParser
import Foundation
import InferenceJobs

/// Which dead letters `kinfer dlq list` and `kinfer dlq replay` act on.
struct DeadLetterFilter: ParsableArguments {
    @Option(help: ArgumentHelp("Only dead letters of this error class: poison, retryable, fatal, ... (repeatable).", valueName: "class"))
    var errorClass: [String] = []

    @Option(help: ArgumentHelp("Only dead letters written at or after this time: RFC 3339 (2025-01-31T12:00:00Z) or an age (90s, 30m, 2h, 7d).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only dead letters written before this time: RFC 3339 or an age (90s, 30m, 2h, 7d).", valueName: "time"))
    var until: String?

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, Self.time(value, now: Date()) == nil {
                throw ValidationError("\(flag) takes an RFC 3339 time (2025-01-31T12:00:00Z) or an age such as 30m, 2h or 7d; got '\(value)'")
            }
        }
    }

    /// Whether `letter` passes every given filter; `now` anchors ages.
    func matches(_ letter: DeadLetter, now: Date) -> Bool {
        if !errorClass.isEmpty && !errorClass.contains(letter.errorClass ?? "") { return false }
        if let since = since.flatMap({ Self.time($0, now: now) }), (letter.time ?? .distantPast) < since { return false }
        if let until = until.flatMap({ Self.time($0, now: now) }), (letter.time ?? .distantPast) >= until { return false }
        return true
    }

    /// An RFC 3339 time, or `now` minus an age like `30m`.
    static func time(_ text: String, now: Date) -> Date? {
        if let date = JobTimestamp.parse(text) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 else { return nil }
        return now.addingTimeInterval(-amount * unit)
    }
}
