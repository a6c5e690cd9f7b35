import Foundation
import KinferTestSupport

/// HTTP load from `wrk` (Debian's, 4.1) in a child process: the same client, in the same way, for every subject of
/// the gateway case, so that no subject shares its process or its cores' scheduling with the load generator more
/// than another does.
///
/// The request and the accounting live in a Lua script written for each run: the body and headers, a `response()`
/// that counts the expected status apart from every other (wrk's own error count only sees statuses over 399), and
/// a `done()` that prints one JSON line with wrk's latency percentiles. That line is parsed instead of wrk's
/// human-readable summary, whose units change with the magnitude ("950.00us", "1.20ms").
///
/// wrk has no rate limit. With `rate`, the script's `delay()` paces the requests: each call (wrk calls it before
/// every request after a connection's first) takes the next slot of a fixed schedule, `rate` requests per second
/// per wrk thread from the first call, on a monotonic clock read through LuaJIT's FFI, and returns how long until
/// that slot (whole milliseconds, as wrk's timer takes them). Behind schedule, requests go out at once until it is
/// caught up. wrk times a request from when it is written, not from its slot, so a stall that holds back the
/// following requests is not counted against them (the coordinated omission wrk2 corrects and wrk does not): at a
/// paced rate the percentiles are of service times.
struct WrkLoad: Sendable {
    /// What one run measured.
    struct Outcome: Sendable {
        var connections: Int
        var seconds: Double
        /// Responses with the expected status (`202` for a submit, `200` for a predict call).
        var expected: Int
        /// Responses with any other status.
        var other: Int
        /// wrk's socket errors: connect, read, write, and requests that passed `--timeout`.
        var socketErrors: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double

        /// Expected answers per second: the accepted rate.
        var rate: Double { seconds > 0 ? Double(expected) / seconds : 0 }
    }

    /// The `wrk` executable.
    var wrk: String
    /// wrk threads (`-t`): each runs its connections on one event loop.
    var threads: Int
    /// Where the run's Lua script is written.
    var directory: URL
    /// A response slower than this counts as a timeout (`--timeout`); above the gateway's 5 s produce timeout.
    var timeoutSeconds = 10

    /// Runs wrk for `seconds` against `url` with `connections` keep-alive connections, POSTing `body` as JSON.
    ///
    /// - Parameter rate: Requests per second over all threads, or `nil` for as fast as the connections go.
    func run(
        url: String, body: String, expectedStatus: Int, connections: Int, seconds: Int, rate: Double? = nil
    ) async throws -> Outcome {
        let threads = min(self.threads, connections)
        let script = directory.appendingPathComponent("wrk-\(UUID().uuidString.prefix(8)).lua")
        try Self.script(body: body, expectedStatus: expectedStatus, ratePerThread: rate.map { $0 / Double(threads) })
            .write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let arguments = [
            "-t", "\(threads)", "-c", "\(connections)", "-d", "\(seconds)s", "--timeout", "\(timeoutSeconds)s",
            "-s", script.path, url,
        ]
        // wrk ends by itself after `seconds`; the deadline is for a wrk that does not.
        let result = try await ChildProcess.run(wrk, arguments, timeout: .seconds(seconds + 30))
        try result.requireSuccess()
        let marker = "KINFER_BENCH_WRK "
        guard let line = result.standardOutputText.split(separator: "\n").last(where: { $0.hasPrefix(marker) }),
              let report = try? JSONDecoder().decode(Report.self, from: Data(line.dropFirst(marker.count).utf8))
        else {
            throw BenchFailure("wrk printed no report: \(result.standardOutputText) \(result.standardErrorText)")
        }
        return Outcome(
            connections: connections,
            seconds: Double(report.duration_us) / 1e6,
            expected: report.expected,
            other: report.other,
            socketErrors: report.connect + report.read + report.write + report.timeout,
            p50Milliseconds: report.p50_us / 1000,
            p99Milliseconds: report.p99_us / 1000,
            maxMilliseconds: report.max_us / 1000
        )
    }

    /// What the script's `done()` prints after the marker.
    private struct Report: Decodable {
        var requests: Int
        var duration_us: Int
        var expected: Int
        var other: Int
        var connect: Int
        var read: Int
        var write: Int
        var timeout: Int
        var p50_us: Double
        var p99_us: Double
        var max_us: Double
    }

    /// The Lua script: the request, the pacing when `ratePerThread` is given, the counts, and the report.
    static func script(body: String, expectedStatus: Int, ratePerThread: Double?) -> String {
        var lines = [
            "-- Written by kinfer-bench gateway for one wrk run.",
            #"wrk.method = "POST""#,
            #"wrk.headers["Content-Type"] = "application/json""#,
            "wrk.body = [==[\(body)]==]",
            "local expected_status = \(expectedStatus)",
            "local threads = {}",
            "function setup(thread) table.insert(threads, thread) end",
            // Globals of each thread's Lua state, read back in done() through thread:get.
            "function init(args) expected = 0; other = 0; slots = 0; first = nil end",
            "function response(status, headers, body)",
            "  if status == expected_status then expected = expected + 1 else other = other + 1 end",
            "end",
        ]
        if let ratePerThread {
            lines += [
                #"local ffi = require("ffi")"#,
                "ffi.cdef[[",
                "typedef struct { long tv_sec; long tv_nsec; } kinfer_timespec;",
                "int clock_gettime(int clock, kinfer_timespec *now);",
                "]]",
                #"local now = ffi.new("kinfer_timespec")"#,
                "local function monotonic_ms()",
                "  ffi.C.clock_gettime(1, now)  -- CLOCK_MONOTONIC",
                "  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6",
                "end",
                "local interval_ms = \(1000 / ratePerThread)",
                "function delay()",
                "  local t = monotonic_ms()",
                "  if first == nil then first = t end",
                "  local due = first + slots * interval_ms",
                "  slots = slots + 1",
                "  if due <= t then return 0 end",
                "  return math.floor(due - t + 0.5)",
                "end",
            ]
        }
        lines += [
            "function done(summary, latency, requests)",
            "  local e, o = 0, 0",
            "  for _, thread in ipairs(threads) do e = e + thread:get(\"expected\"); o = o + thread:get(\"other\") end",
            "  local errors = summary.errors",
            #"  io.write(string.format('KINFER_BENCH_WRK {"requests":%d,"duration_us":%d,"expected":%d,"other":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%.1f,"p99_us":%.1f,"max_us":%.1f}\n',"#,
            "    summary.requests, summary.duration, e, o, errors.connect, errors.read, errors.write, errors.timeout,",
            "    latency:percentile(50), latency:percentile(99), latency.max))",
            "end",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
