import AsyncHTTPClient
import Foundation
import InferenceJobs
import NIOCore
import Synchronization

/// Follows some of the demo's jobs as a browser or a service would, over `GET /v1/jobs/{id}/events`, and measures
/// push latency: from the result's `completed_at` (the worker's clock, on this machine) to the moment its `result`
/// event arrives here.
final class DemoEventFollower: Sendable {
    private struct Tally {
        var followed = 0
        var pushed = 0
        var latenciesMs: [Double] = []
        var problems: [String] = []
    }

    private let tally = Mutex(Tally())
    private let requests: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let baseURL: String
    private let client: HTTPClient

    /// - Parameter client: Needs room for a connection per stream open at once (``DemoHTTPClient``).
    init(baseURL: String, client: HTTPClient) {
        (requests, continuation) = AsyncStream.makeStream(of: String.self)
        self.baseURL = baseURL
        self.client = client
    }

    /// Asks for `jobID` to be followed; ``run()`` opens its stream.
    func follow(_ jobID: String) {
        tally.withLock { $0.followed += 1 }
        continuation.yield(jobID)
    }

    /// No more jobs to follow: ``run()`` returns once the open streams have ended.
    func finishFollowing() {
        continuation.finish()
    }

    /// Streams followed, `result` events received, push latencies (sorted, ms), and what went wrong.
    var outcome: (followed: Int, pushed: Int, latenciesMs: [Double], problems: [String]) {
        tally.withLock { ($0.followed, $0.pushed, $0.latenciesMs.sorted(), $0.problems) }
    }

    /// Opens a stream for each job asked for, until ``finishFollowing()`` and the last stream's end.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await jobID in requests {
                group.addTask { await self.readStream(of: jobID) }
            }
        }
    }

    /// Reads the stream until the gateway ends it after the result, or until the task is cancelled after the result
    /// arrived (the demo stops waiting for the end once every followed result has been pushed).
    private func readStream(of jobID: String) async {
        var results = 0
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: "\(baseURL)/v1/jobs/\(jobID)/events"), timeout: .seconds(120)
            )
            guard response.status.code == 200 else {
                record(problem: "\(jobID): /events answered \(response.status.code)")
                return
            }
            var lines = EventLines()
            for try await chunk in response.body {
                for event in lines.append(chunk) where event.name == "result" {
                    results += 1
                    let result = try JobCodec.decodeResult(Array(event.data.utf8))
                    let latency = Date().timeIntervalSince(result.completedAt) * 1000
                    tally.withLock {
                        $0.pushed += 1
                        $0.latenciesMs.append(max(0, latency))
                    }
                }
            }
            if results != 1 { record(problem: "\(jobID): \(results) result events, not 1") }
        } catch is CancellationError where results == 1 {
        } catch {
            record(problem: "\(jobID): \(error)")
        }
    }

    private func record(problem: String) {
        tally.withLock { $0.problems.append(problem) }
    }
}

/// Server-sent events out of a byte stream: lines split at `\n`, an event per blank line (only `event:` and `data:`
/// matter here; comments and `id:` are skipped).
private struct EventLines {
    struct Event {
        var name = "message"
        var data = ""
    }

    private var partial: [UInt8] = []
    private var current = Event()

    mutating func append(_ chunk: ByteBuffer) -> [Event] {
        var events: [Event] = []
        for byte in chunk.readableBytesView {
            guard byte == UInt8(ascii: "\n") else {
                partial.append(byte)
                continue
            }
            let line = String(decoding: partial, as: UTF8.self)
            partial.removeAll(keepingCapacity: true)
            if line.isEmpty {
                events.append(current)
                current = Event()
            } else if line.hasPrefix("event:") {
                current.name = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("data:") {
                let data = line.dropFirst(5)
                current.data += data.hasPrefix(" ") ? String(data.dropFirst()) : String(data)
            }
        }
        return events
    }
}
