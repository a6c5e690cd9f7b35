import Foundation
import KinferApp

/// The demo's live progress line: rewritten in place on a terminal, a plain line every 2 s otherwise.
struct DemoProgressLine: Sendable {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    var interval: Duration { isTerminal ? .milliseconds(500) : .seconds(2) }

    func show(_ progress: DemoProgress) {
        let lagText = progress.lag.map(String.init) ?? "?"
        var line = "submitted \(progress.submitted)/\(progress.total)  completed \(progress.completed)  lag \(lagText)  \(Int(progress.jobsPerSecond.rounded())) jobs/s"
        if progress.crashing { line += "  worker crashes \(progress.crashes)" }
        if isTerminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            Terminal.output(line)
        }
    }

    /// Ends the rewritten line so that what follows starts on its own.
    func finish() {
        if isTerminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}
