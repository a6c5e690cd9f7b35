import Foundation
import InferenceJobs
import Kafka
import MetricsTestKit
import KinferTestSupport
import Notifier
import Synchronization
import Testing

/// The notifier on the embedded cluster, delivering to receivers on loopback that the tests start: no packet
/// leaves 127.0.0.0/8.
@Suite("Notifier: results to callbacks, signed, retried, dead-lettered")
struct NotifierServiceTests {
    @Test("5,000 results with callbacks and 500 without: each delivered at least once with its own body, every signature valid under both secrets, duplicates within the in-flight bound, offsets committed to the end")
    func everyCallbackDelivered() async throws {
        let harness = try NotifierHarness()
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .noContent) }) { receiver in
            let url = "http://127.0.0.1:\(receiver.port)/hooks/kinfer"
            let withCallback = (0..<5_000).map { NotifierHarness.result($0, callbackURL: url) }
            let without = (5_000..<5_500).map { NotifierHarness.result($0, callbackURL: nil) }
            let values = try await harness.produce(withCallback + without)
            let notifier = try harness.makeNotifier(ports: [receiver.port])
            try await harness.running(notifier) {
                try await waitUntil("every callback is delivered", timeout: .seconds(120)) { notifier.counters.delivered >= 5_000 }
                try await waitUntil("offsets are committed to the end", timeout: .seconds(30)) { try await harness.committedToTheEnd() }
            }
            let requests = receiver.requests
            var seen: [String: Int] = [:]
            for request in requests {
                let result = try JobCodec.decodeResult(request.body)
                seen[result.jobID, default: 0] += 1
                #expect(request.body == values[result.jobID], "the body is the result as published")
                #expect(request.head.uri == "/hooks/kinfer")
                #expect(request.header("content-type") == "application/json")
                #expect(request.header("user-agent") == "kinfer/test")
                #expect(request.header("webhook-id") == WebhookSigner.messageID(for: result))
            }
            #expect(requests.allSatisfy(NotifierHarness.verifies), "every signature verifies under both secrets")
            #expect(Set(seen.keys) == Set(withCallback.map(\.jobID)), "exactly the jobs with callbacks")
            let duplicates = requests.count - seen.count
            print("notifier: \(requests.count) deliveries for \(seen.count) jobs, \(duplicates) duplicates")
            #expect(duplicates < 1_000, "duplicates below the in-flight bound")
            #expect(notifier.counters.withoutCallback == 500)
            #expect(notifier.counters.retried == 0 && notifier.counters.givenUp == 0)
        }
    }

    @Test("500 for three attempts, then 200: delivered on the fourth; 410: given up after one; deliveries to a healthy path all finish before the first retried one does")
    func retriesAndGone() async throws {
        let harness = try NotifierHarness()
        let attempts = Mutex<[String: Int]>([:])
        try await LocalReceiver.withReceiver({ _, request in
            let path = request.head.uri
            let attempt = attempts.withLock { counts in
                counts[path, default: 0] += 1
                return counts[path]!
            }
            if path.hasPrefix("/flaky/") { return .init(status: attempt <= 3 ? .internalServerError : .ok) }
            if path.hasPrefix("/gone/") { return .init(status: .gone) }
            return .init(status: .ok)
        }) { receiver in
            let base = "http://127.0.0.1:\(receiver.port)"
            // Interleaved, so that every partition holds all three kinds.
            let results = (0..<300).map { index in
                let kind = ["flaky", "gone", "ok", "ok", "ok", "ok"][index % 6]
                return NotifierHarness.result(index, callbackURL: "\(base)/\(kind)/job-\(index)")
            }
            try await harness.produce(results)
            let metrics = TestMetrics()
            let notifier = try harness.makeNotifier(ports: [receiver.port], retryDelays: [.seconds(1)], metricsFactory: metrics)
            let flaky = results.filter { $0.callbackURL!.contains("/flaky/") }
            let gone = results.filter { $0.callbackURL!.contains("/gone/") }
            let ok = results.count - flaky.count - gone.count
            let deadLetters = try await harness.running(notifier) {
                try await waitUntil("every delivery ends", timeout: .seconds(90)) {
                    notifier.counters.delivered >= ok + flaky.count && notifier.counters.givenUp >= gone.count
                }
                try await waitUntil("offsets are committed to the end", timeout: .seconds(30)) { try await harness.committedToTheEnd() }
                return try await harness.deadLetters(count: gone.count)
            }
            let counts = attempts.withLock { $0 }
            for result in flaky { #expect(counts["/flaky/\(result.jobID)"] == 4, "\(result.jobID): delivered on the fourth attempt") }
            for result in gone { #expect(counts["/gone/\(result.jobID)"] == 1, "\(result.jobID): given up after one") }
            #expect(notifier.counters.retried == 3 * flaky.count)
            func callbacks(_ outcome: String, _ statusClass: String) throws -> Int64 {
                try metrics.expectCounter("kinfer_callbacks_total", [("outcome", outcome), ("status_class", statusClass)]).totalValue
            }
            #expect(try callbacks("delivered", "2xx") == Int64(ok + flaky.count))
            #expect(try callbacks("retried", "5xx") == Int64(3 * flaky.count))
            #expect(try callbacks("given_up", "4xx") == Int64(gone.count))
            #expect(try callbacks("refused", "none") == 0, "the series exists before its first increment")
            // The series every consumer service reports under the same names (ConsumerMetrics), sampled while it ran.
            #expect(try metrics.expectCounter("kinfer_rebalances_total").totalValue >= 1)
            #expect(try metrics.expectGauge("kinfer_partitions_assigned").values.contains { $0 > 0 })
            #expect(try metrics.expectGauge("kinfer_partitions_paused").lastValue == 0)
            #expect(try metrics.expectGauge("kinfer_producer_queue_messages").values.count > 1, "sampled, not only set at start")
            #expect(try metrics.expectCounter("kinfer_messages_given_up_total").totalValue == 0)
            #expect(try metrics.expectCounter("kinfer_commit_failures_total").totalValue == 0)

            #expect(Set(deadLetters.compactMap(\.keyString)) == Set(gone.map(\.jobID)))
            for letter in deadLetters {
                #expect(letter.firstHeader(JobHeaders.errorClass) == "callback")
                #expect(letter.firstHeader(CallbackHeaders.lastStatus) == "410")
                #expect(letter.firstHeader(JobHeaders.originalTopic) == harness.topics.results)
                #expect(letter.value.map { try? JobCodec.decodeResult($0).jobID } == letter.keyString, "the dead letter keeps the result")
            }

            // Measured: a failing receiver's retries wait on the retry topic, not in front of other deliveries.
            let requests = receiver.requests
            let lastHealthy = requests.filter { $0.head.uri.hasPrefix("/ok/") }.map(\.received).max()!
            let flakyAttempts = Dictionary(grouping: requests.filter { $0.head.uri.hasPrefix("/flaky/") }, by: \.head.uri)
            let firstFlakySuccess = flakyAttempts.values.compactMap { $0.map(\.received).max() }.min()!
            let flakyFirstTries = requests.filter { $0.head.uri.hasPrefix("/flaky/") }.map(\.received)
            print("notifier: healthy deliveries done \(lastHealthy - flakyFirstTries.min()!) after the first flaky attempt; flaky ones done after \(firstFlakySuccess - flakyFirstTries.min()!)")
            #expect(lastHealthy < firstFlakySuccess)
        }
    }

    @Test("A receiver that never answers: each attempt ends at the timeout, the partitions keep committing, and the delivery is dead-lettered after the schedule; a receiver on 127.0.0.2, outside the admitted range, is never connected to")
    func neverAnswersAndRefused() async throws {
        let harness = try NotifierHarness(partitions: 2)
        try await LocalReceiver.withReceiver({ _, _ in nil }) { silent in
            try await LocalReceiver.withReceiver(host: "127.0.0.2", { _, _ in .init(status: .ok) }) { outside in
                try await LocalReceiver.withReceiver({ _, _ in .init(status: .ok) }) { healthy in
                    let silentURL = "http://127.0.0.1:\(silent.port)/hook"
                    let outsideURL = "http://127.0.0.2:\(outside.port)/hook"
                    let results = [
                        NotifierHarness.result(0, callbackURL: silentURL),
                        NotifierHarness.result(1, callbackURL: outsideURL),
                    ] + (2..<40).map { NotifierHarness.result($0, callbackURL: "http://127.0.0.1:\(healthy.port)/hook") }
                    try await harness.produce(results)
                    let notifier = try harness.makeNotifier(
                        ports: [silent.port, outside.port, healthy.port], retryDelays: [.milliseconds(100)],
                        maximumAge: .milliseconds(1_500), timeout: .milliseconds(400)
                    )
                    let deadLetters = try await harness.running(notifier) {
                        try await waitUntil("both are dead-lettered", timeout: .seconds(60)) {
                            notifier.counters.givenUp + notifier.counters.refused >= 2
                        }
                        try await waitUntil("offsets are committed to the end", timeout: .seconds(30)) { try await harness.committedToTheEnd() }
                        return try await harness.deadLetters(count: 2)
                    }
                    let byJob = Dictionary(uniqueKeysWithValues: deadLetters.map { ($0.keyString!, $0) })
                    let silentLetter = try #require(byJob["job-0"])
                    #expect(silentLetter.firstHeader(JobHeaders.errorMessage)?.contains("timeout") == true, "\(silentLetter.headers)")
                    let attempts = Int(silentLetter.firstHeader(CallbackHeaders.attempt) ?? "") ?? 0
                    #expect(attempts >= 2, "retried until the maximum age")
                    #expect(silent.requests.count == attempts, "one request per attempt")
                    // Given up from the retry topic, it names the result's own record, and only the last reason.
                    #expect(silentLetter.firstHeader(JobHeaders.originalTopic) == harness.topics.results, "\(silentLetter.headers)")
                    #expect(silentLetter.headers.filter { $0.key == JobHeaders.errorMessage }.count == 1, "\(silentLetter.headers)")
                    let refused = try #require(byJob["job-1"])
                    #expect(refused.firstHeader(JobHeaders.errorMessage)?.contains("loopback") == true, "\(refused.headers)")
                    #expect(outside.requests.isEmpty, "nothing reached 127.0.0.2")
                    #expect(notifier.counters.refused == 1)
                    #expect(try Set(healthy.requests.map { try JobCodec.decodeResult($0.body).jobID }).count == 38)
                }
            }
        }
    }
}
