import ArgumentParser
import Foundation
import KinferApp

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
            if let value, DeadLetterSelection.time(value, now: Date()) == nil {
                throw ValidationError("\(flag) takes an RFC 3339 time (2025-01-31T12:00:00Z) or an age such as 30m, 2h or 7d; got '\(value)'")
            }
        }
    }

    /// The selection these flags describe; `now` anchors ages.
    func selection(now: Date) -> DeadLetterSelection {
        DeadLetterSelection(
            errorClasses: errorClass,
            since: since.flatMap { DeadLetterSelection.time($0, now: now) },
            until: until.flatMap { DeadLetterSelection.time($0, now: now) }
        )
    }
}
