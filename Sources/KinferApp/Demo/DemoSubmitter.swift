import AsyncHTTPClient
import Foundation
import InferenceJobs
import NIOCore
import Synchronization

/// Submits the demo's jobs the way a service would: `POST /v1/jobs` on the gateway, each with its own `job_id`
/// (held-out digits, cycled; job `i` is test image `i % testSetCount`), from `senders` keep-alive connections.
///
/// A `429` is waited out (its `Retry-After`) and the same body sent again: the `job_id` makes the retry
/// idempotent, so a job is never enqueued twice. Every `followEvery`-th accepted job is also followed over
/// `GET /v1/jobs/{id}/events` by a ``DemoEventFollower``, and every `callbackEvery`-th (from the fifth) asks for a
/// callback to `callbackURL`.
final class DemoSubmitter: Sendable {
    /// Job IDs in submission order.
    let jobIDs: [String]
    private let acceptedCount = Atomic<Int>(0)
    private let backPressured = Atomic<Int>(0)
    private let failures = Mutex<[Int: String]>([:])
    private let firstSubmit = Mutex<Date?>(nil)
    private let done = Atomic<Bool>(false)
    private let next = Atomic<Int>(0)
    private let senders: Int
    private let followEvery: Int
    private let callbackEvery: Int
    private let callbackURL: String?
    private let callbackJobs = Mutex<Set<String>>([])
    private let client: HTTPClient

    /// Whether ``run(baseURL:features:load:follower:)`` has returned or thrown.
    var isFinished: Bool { done.load(ordering: .acquiring) }

    /// - Parameter client: Needs room for `senders` connections to the gateway (``DemoHTTPClient``).
    init(count: Int, client: HTTPClient, callbackURL: String? = nil, senders: Int = 32, followEvery: Int = 100, callbackEvery: Int = 10) {
        jobIDs = (0..<count).map { _ in JobID.make() }
        self.client = client
        self.callbackURL = callbackURL
        self.senders = senders
        self.followEvery = max(1, followEvery)
        self.callbackEvery = max(1, callbackEvery)
    }

    /// Accepted jobs that asked for a callback.
    var withCallback: Set<String> { callbackJobs.withLock { $0 } }

    /// Jobs the gateway accepted (`202`: on the topic, acknowledged by the brokers).
    var submitted: Int { acceptedCount.load(ordering: .relaxed) }
    /// `429` answers received (each followed by a retry of the same job).
    var tooManyRequests: Int { backPressured.load(ordering: .relaxed) }
    var startedAt: Date? { firstSubmit.withLock { $0 } }
    /// Indexes of jobs the gateway did not accept, with the reason.
    var failed: [Int: String] { failures.withLock { $0 } }

    func run(baseURL: String, features: [[Double]], load: DemoLoad, follower: DemoEventFollower) async throws {
        defer { done.store(true, ordering: .releasing) }
        let clock = ContinuousClock()
        let start = clock.now
        firstSubmit.withLock { $0 = Date() }
        defer { follower.finishFollowing() }
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<senders {
                group.addTask {
                    while true {
                        let index = self.next.add(1, ordering: .relaxed).oldValue
                        guard index < self.jobIDs.count else { return }
                        if let offset = load.offset(of: index, total: self.jobIDs.count) {
                            let due = start.advanced(by: .milliseconds(Int64(offset * 1000)))
                            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
                        }
                        let id = self.jobIDs[index]
                        if try await self.submit(id, features: features[index % features.count], to: baseURL, index: index),
                            index % self.followEvery == 0
                        {
                            follower.follow(id)
                        }
                    }
                }
            }
        }
    }

    /// `true` once the gateway answered `202`; `false` when it refused the job for good (recorded in ``failed``).
    private func submit(_ id: String, features: [Double], to baseURL: String, index: Int) async throws -> Bool {
        var request = HTTPClientRequest(url: baseURL + "/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let callback = callbackURL.flatMap { index % callbackEvery == 5 % callbackEvery ? #","callback_url":"\#($0)""# : nil }
        let body = #"{"job_id":"\#(id)","inputs":{"features":[\#(features.map { String($0) }.joined(separator: ","))]}\#(callback ?? "")}"#
        var attempts = 0
        while true {
            attempts += 1
            request.body = .bytes(ByteBuffer(string: body))
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(30))
            } catch {
                // A connection error: retrying the same body with the same job_id enqueues the job at most once.
                guard attempts < 5 else {
                    failures.withLock { $0[index] = "POST /v1/jobs failed: \(error)" }
                    return false
                }
                try await Task.sleep(for: .milliseconds(200))
                continue
            }
            let answer = try await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 202:
                acceptedCount.add(1, ordering: .relaxed)
                if callback != nil { callbackJobs.withLock { _ = $0.insert(id) } }
                return true
            case 429, 503:
                if response.status.code == 429 { backPressured.add(1, ordering: .relaxed) }
                let seconds = response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 1
                try await Task.sleep(for: .seconds(max(1, min(seconds, 30))))
            default:
                failures.withLock { $0[index] = "POST /v1/jobs answered \(response.status.code): \(String(buffer: answer))" }
                return false
            }
        }
    }
}
