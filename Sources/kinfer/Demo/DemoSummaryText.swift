import Foundation
import KinferApp

/// How `kinfer demo` prints its summary: lines for people, or one JSON object.
enum DemoSummaryText {
    static func json(_ s: DemoSummary) -> String {
        func number(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
        return JSONText.object([
            ("submitted", "\(s.submitted)"), ("completed", "\(s.completed)"), ("failed", "\(s.failed)"), ("expired", "\(s.expired)"),
            ("dead_lettered", "\(s.deadLettered)"), ("duplicates", "\(s.duplicates)"), ("lost", "\(s.lost.count)"),
            ("accuracy", number(s.accuracy, 4)), ("jobs_per_second", number(s.jobsPerSecond, 1)),
            ("p50_ms", number(s.p50, 1)), ("p95_ms", number(s.p95, 1)), ("p99_ms", number(s.p99, 1)),
            ("database", JSONText.quoted(s.database)), ("crashes", "\(s.crashes)"),
            ("accepted", "\(s.accepted)"), ("too_many_requests", "\(s.tooManyRequests)"),
            ("streams_followed", "\(s.streamsFollowed)"), ("result_events", "\(s.resultEvents)"),
            ("push_p50_ms", number(s.pushP50, 1)), ("push_p99_ms", number(s.pushP99, 1)),
            ("callbacks_expected", "\(s.callbacksExpected)"), ("callbacks_delivered", "\(s.callbacksDelivered)"),
            ("callback_requests", "\(s.callbackRequests)"), ("callbacks_unverified", "\(s.callbacksUnverified)"),
            ("chats", "\(s.chats)"), ("chat_tokens", "\(s.chatTokens)"), ("chats_matching", "\(s.chatsMatching)"),
            ("chat_first_token_p50_ms", number(s.chatFirstTokenP50, 1)), ("chat_first_token_p99_ms", number(s.chatFirstTokenP99, 1)),
        ])
    }

    static func lines(_ s: DemoSummary) -> [String] {
        func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }
        var lines = [
            "",
            "kinfer demo summary",
            "  submitted        \(s.submitted)  (POST /v1/jobs answered 202: \(s.accepted); 429 then retried: \(s.tooManyRequests))",
            "  completed        \(s.completed)",
            "  failed           \(s.failed)",
            "  expired          \(s.expired)",
            "  dead-lettered    \(s.deadLettered)  (jobs dead-letter topic)",
            "  duplicates       \(s.duplicates)  (results absorbed by the sink: redeliveries after crashes and rebalances)",
            "  lost             \(s.lost.count)\(s.lost.isEmpty ? "" : "  e.g. " + s.lost.prefix(3).joined(separator: ", "))",
            "  accuracy         \(String(format: "%.2f%%", s.accuracy * 100))  (\(s.correct) of \(s.completed) labels match the held-out digits)",
            "  throughput       \(String(format: "%.1f", s.jobsPerSecond)) jobs/s  (first submit to last result, \(String(format: "%.1f", s.seconds)) s)",
            "  latency          p50 \(ms(s.p50))  p95 \(ms(s.p95))  p99 \(ms(s.p99))  (submitted_at to the result's completed_at)",
            "  pushed results   \(s.resultEvents) of \(s.streamsFollowed) jobs followed over /events; push p50 \(ms(s.pushP50))  p99 \(ms(s.pushP99))  (completed_at to the event's arrival)",
            "  callbacks        \(s.callbacksDelivered) of \(s.callbacksExpected) delivered to the demo's receiver on 127.0.0.1, signatures verified (\(s.callbackRequests) requests, \(s.callbacksUnverified) unverified)",
            "  streamed chats   \(s.chats) via POST /v1/chat/completions, \(s.chatTokens) tokens; first token p50 \(ms(s.chatFirstTokenP50))  p99 \(ms(s.chatFirstTokenP99)); \(s.chatsMatching) of \(s.chats) texts equal their stored results",
            "  worker crashes   \(s.crashes)",
            "  database         \(s.database)",
            "  worker logs      \(s.workerLogs.joined(separator: ", "))",
            "",
            "next:",
        ]
        if let exampleJobID = s.exampleJobID { lines.append("  kinfer status \(exampleJobID) --database sqlite://\(s.database)") }
        lines.append("  kinfer demo --rate 500 --jobs 5000     (or --spike, --crash-workers)")
        lines.append("  kinfer broker   # then kinfer worker, kinfer sink and kinfer submit as separate processes")
        return lines
    }
}
