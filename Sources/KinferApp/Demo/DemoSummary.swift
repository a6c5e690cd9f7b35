import Foundation
import InferenceJobs
import ResultStore

/// What the demo found at the end, from the rows in the store; the command prints it.
public struct DemoSummary: Sendable {
    public internal(set) var submitted = 0
    public internal(set) var completed = 0
    public internal(set) var failed = 0
    public internal(set) var expired = 0
    public internal(set) var deadLettered: Int64 = 0
    public internal(set) var duplicates = 0
    public internal(set) var lost: [String] = []
    public internal(set) var correct = 0
    public internal(set) var jobsPerSecond = 0.0
    public internal(set) var p50 = 0.0, p95 = 0.0, p99 = 0.0
    public internal(set) var database = ""
    public internal(set) var crashes = 0
    public internal(set) var workerLogs: [String] = []
    public internal(set) var exampleJobID: String?
    public internal(set) var seconds = 0.0
    /// Jobs the gateway answered `202` for, and the `429`s on the way (each retried with the same `job_id`).
    public internal(set) var accepted = 0
    public internal(set) var tooManyRequests = 0
    /// Jobs followed over `GET /v1/jobs/{id}/events`, the `result` events they received, and the push latency.
    public internal(set) var streamsFollowed = 0
    public internal(set) var resultEvents = 0
    public internal(set) var pushP50 = 0.0, pushP99 = 0.0
    /// Jobs that asked for a callback, those whose callback reached the receiver with a valid signature, the
    /// receiver's requests (repeats included), and requests whose signature did not verify.
    public internal(set) var callbacksExpected = 0
    public internal(set) var callbacksDelivered = 0
    public internal(set) var callbackRequests = 0
    public internal(set) var callbacksUnverified = 0

    public internal(set) var chats = 0
    public internal(set) var chatTokens = 0
    public internal(set) var chatsMatching = 0
    public internal(set) var chatFirstTokenP50 = 0.0, chatFirstTokenP99 = 0.0

    /// Push latencies in ms, sorted.
    mutating func setPushLatencies(_ sorted: [Double]) {
        pushP50 = Self.percentile(0.50, of: sorted)
        pushP99 = Self.percentile(0.99, of: sorted)
    }

    private static func percentile(_ p: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }

    public var accuracy: Double { completed == 0 ? 0 : Double(correct) / Double(completed) }

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

    /// What makes the run a failure once the summary is shown: a lost job, a streamed text that differs from its
    /// result, or a callback not delivered.
    public var failure: CLIError? {
        if !lost.isEmpty {
            return CLIError("\(lost.count) of \(submitted) jobs have no result", hint: "see the worker logs \(workerLogs.joined(separator: ", "))")
        }
        if chatsMatching < chats {
            return CLIError("\(chats - chatsMatching) of \(chats) streamed chat completions did not stream their stored result's text", hint: "see the lines starting with 'kinfer demo: chat:' above")
        }
        if callbacksDelivered < callbacksExpected {
            return CLIError("\(callbacksExpected - callbacksDelivered) of \(callbacksExpected) callbacks were not delivered", hint: "run with --log-level notice to see the notifier's reasons")
        }
        return nil
    }
}
