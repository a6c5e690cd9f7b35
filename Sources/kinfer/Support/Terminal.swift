import Foundation
import KinferApp

/// Output helpers: results go to stdout one whole line per write (unbuffered, so pipes and parent processes see each
/// line at once); diagnostics go to stderr.
enum Terminal {
    /// Writes `line` to stdout.
    static func output(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes `line` to stderr, collapsed to one line.
    static func diagnostic(_ line: String) {
        let single = line.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data((single + "\n").utf8))
    }
}

extension Terminal {
    /// Says on stderr that a read to a topic's end gave up, and which partitions may be incomplete.
    static func report(_ incomplete: TopicReader.IncompleteRead) {
        let partitions = incomplete.partitions.map { String($0) }.joined(separator: ",")
        diagnostic("kinfer: stopped reading \(incomplete.topic) after \(incomplete.idleTimeout) without messages; partitions \(partitions) may be incomplete")
    }
}
