import Foundation
import InferenceJobs
import KinferApp
import ResultStore
import ResultsSink

/// What the demo found at the end, from the rows in the store.
struct DemoSummary {
    var submitted = 0
    var completed = 0
    var failed = 0
    var expired = 0
    var deadLettered: Int64 = 0
    var duplicates = 0
    var lost: [String] = []
    var correct = 0
    var jobsPerSecond = 0.0
    var p50 = 0.0, p95 = 0.0, p99 = 0.0
    var database = ""
    var crashes = 0
    var workerLogs: [String] = []
    var exampleJobID: String?
    var seconds = 0.0
    /// Jobs the gateway answered `202` for, and the `429`s on the way (each retried with the same `job_id`).
    var accepted = 0
    var tooManyRequests = 0
    /// Jobs followed over `GET /v1/jobs/{id}/events`, the `result` events they received, and the push latency.
    var streamsFollowed = 0
    var resultEvents = 0
    var pushP50 = 0.0, pushP99 = 0.0
    /// Jobs that asked for a callback, those whose callback reached the receiver with a valid signature, the
    /// receiver's requests (repeats included), and requests whose signature did not verify.
    var callbacksExpected = 0
    var callbacksDelivered = 0
    var callbackRequests = 0
    var callbacksUnverified = 0

    var chats = 0
    var chatTokens = 0
    var chatsMatching = 0
    var chatFirstTokenP50 = 0.0, chatFirstTokenP99 = 0.0

    /// Push latencies in ms, sorted.
    mutating func setPushLatencies(_ sorted: [Double]) {
        pushP50 = Self.percentile(0.50, of: sorted)
        pushP99 = Self.percentile(0.99, of: sorted)
    }

    private static func percentile(_ p: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }

    var accuracy: Double { completed == 0 ? 0 : Double(correct) / Double(completed) }

    /// Reads every submitted job's row: status counts, accuracy against `labels`, latency, and the jobs without a row.
    mutating func collect(store: any ResultStore, jobIDs: [String], skipped: Set<Int>, labels: [String], startedAt: Date) async throws {
        var latencies: [Double] = []
        latencies.reserveCapacity(jobIDs.count)
        var lastCompletion = startedAt
        for (index, id) in jobIDs.enumerated() where !skipped.contains(index) {
            submitted += 1
            guard let row = try await store.result(for: id)?.result else {
                lost.append(id)
                continue
            }
            switch row.status {
            case .completed:
                completed += 1
                if row.output?.classification?.label == labels[index % labels.count] { correct += 1 }
                exampleJobID = exampleJobID ?? id
            case .failed: failed += 1
            case .expired: expired += 1
            }
            latencies.append(row.completedAt.timeIntervalSince(row.submittedAt) * 1000)
            lastCompletion = max(lastCompletion, row.completedAt)
        }
        latencies.sort()
        p50 = Self.percentile(0.50, of: latencies)
        p95 = Self.percentile(0.95, of: latencies)
        p99 = Self.percentile(0.99, of: latencies)
        seconds = lastCompletion.timeIntervalSince(startedAt)
        jobsPerSecond = seconds > 0 ? Double(submitted - lost.count) / seconds : 0
        exampleJobID = exampleJobID ?? jobIDs.first
    }

    mutating func setChats(_ outcome: DemoChats.Outcome) {
        chats = outcome.streams
        chatTokens = outcome.tokens
        chatsMatching = outcome.matching
        let sorted = outcome.firstTokenMilliseconds.sorted()
        chatFirstTokenP50 = Self.percentile(0.50, of: sorted)
        chatFirstTokenP99 = Self.percentile(0.99, of: sorted)
    }

    var json: String {
        func number(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
        return JSONText.object([
            ("submitted", "\(submitted)"), ("completed", "\(completed)"), ("failed", "\(failed)"), ("expired", "\(expired)"),
            ("dead_lettered", "\(deadLettered)"), ("duplicates", "\(duplicates)"), ("lost", "\(lost.count)"),
            ("accuracy", number(accuracy, 4)), ("jobs_per_second", number(jobsPerSecond, 1)),
            ("p50_ms", number(p50, 1)), ("p95_ms", number(p95, 1)), ("p99_ms", number(p99, 1)),
            ("database", JSONText.quoted(database)), ("crashes", "\(crashes)"),
            ("accepted", "\(accepted)"), ("too_many_requests", "\(tooManyRequests)"),
            ("streams_followed", "\(streamsFollowed)"), ("result_events", "\(resultEvents)"),
            ("push_p50_ms", number(pushP50, 1)), ("push_p99_ms", number(pushP99, 1)),
            ("callbacks_expected", "\(callbacksExpected)"), ("callbacks_delivered", "\(callbacksDelivered)"),
            ("callback_requests", "\(callbackRequests)"), ("callbacks_unverified", "\(callbacksUnverified)"),
            ("chats", "\(chats)"), ("chat_tokens", "\(chatTokens)"), ("chats_matching", "\(chatsMatching)"),
            ("chat_first_token_p50_ms", number(chatFirstTokenP50, 1)), ("chat_first_token_p99_ms", number(chatFirstTokenP99, 1)),
        ])
    }

    var text: [String] {
        func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }
        var lines = [
            "",
            "kinfer demo summary",
            "  submitted        \(submitted)  (POST /v1/jobs answered 202: \(accepted); 429 then retried: \(tooManyRequests))",
            "  completed        \(completed)",
            "  failed           \(failed)",
            "  expired          \(expired)",
            "  dead-lettered    \(deadLettered)  (jobs dead-letter topic)",
            "  duplicates       \(duplicates)  (results absorbed by the sink: redeliveries after crashes and rebalances)",
            "  lost             \(lost.count)\(lost.isEmpty ? "" : "  e.g. " + lost.prefix(3).joined(separator: ", "))",
            "  accuracy         \(String(format: "%.2f%%", accuracy * 100))  (\(correct) of \(completed) labels match the held-out digits)",
            "  throughput       \(String(format: "%.1f", jobsPerSecond)) jobs/s  (first submit to last result, \(String(format: "%.1f", seconds)) s)",
            "  latency          p50 \(ms(p50))  p95 \(ms(p95))  p99 \(ms(p99))  (submitted_at to the result's completed_at)",
            "  pushed results   \(resultEvents) of \(streamsFollowed) jobs followed over /events; push p50 \(ms(pushP50))  p99 \(ms(pushP99))  (completed_at to the event's arrival)",
            "  callbacks        \(callbacksDelivered) of \(callbacksExpected) delivered to the demo's receiver on 127.0.0.1, signatures verified (\(callbackRequests) requests, \(callbacksUnverified) unverified)",
            "  streamed chats   \(chats) via POST /v1/chat/completions, \(chatTokens) tokens; first token p50 \(ms(chatFirstTokenP50))  p99 \(ms(chatFirstTokenP99)); \(chatsMatching) of \(chats) texts equal their stored results",
            "  worker crashes   \(crashes)",
            "  database         \(database)",
            "  worker logs      \(workerLogs.joined(separator: ", "))",
            "",
            "next:",
        ]
        if let exampleJobID { lines.append("  kinfer status \(exampleJobID) --database sqlite://\(database)") }
        lines.append("  kinfer demo --rate 500 --jobs 5000     (or --spike, --crash-workers)")
        lines.append("  kinfer broker   # then kinfer worker, kinfer sink and kinfer submit as separate processes")
        return lines
    }
}
