import Foundation
import Kafka
import KinferApp

/// The live progress line: rewritten in place on a terminal, a plain line every 2 s otherwise.
struct DemoProgress {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    var interval: Duration { isTerminal ? .milliseconds(500) : .seconds(2) }
    private var last: (time: ContinuousClock.Instant, completed: Int)?

    mutating func report(submitted: Int, total: Int, completed: Int, lag: Int64?, crashes: Int, crashing: Bool) {
        let now = ContinuousClock.now
        var rate = 0.0
        if let last {
            let seconds = Double((now - last.time).components.attoseconds) / 1e18 + Double((now - last.time).components.seconds)
            if seconds > 0 { rate = Double(completed - last.completed) / seconds }
        }
        last = (now, completed)
        let lagText = lag.map(String.init) ?? "?"
        var line = "submitted \(submitted)/\(total)  completed \(completed)  lag \(lagText)  \(Int(rate.rounded())) jobs/s"
        if crashing { line += "  worker crashes \(crashes)" }
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

    /// Total lag of `group` on `topic`, or `nil` when the admin cannot say in time.
    static func lag(_ admin: KafkaAdmin, group: String, topic: String) async -> Int64? {
        guard let lags = try? await admin.consumerLag(group: group, topics: [topic], timeout: .seconds(2)) else { return nil }
        return lags.reduce(0) { $0 + $1.lag }
    }
}
