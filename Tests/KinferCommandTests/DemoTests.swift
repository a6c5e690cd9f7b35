import Foundation
import KinferTestSupport
import Testing

@Suite("kinfer demo", .serialized)
struct DemoTests {
    /// Runs `kinfer demo arguments --json` in a fresh directory and returns its exit and the summary object.
    private func demo(_ arguments: [String]) async throws -> (ChildProcessResult, [String: Any], String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = try await KinferBinary.run(["demo", "--json"] + arguments, currentDirectory: directory.path, timeout: .seconds(120))
        let line = try #require(result.outputLines.last, "\(result)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(result)")
        return (result, summary, directory.path)
    }

    @Test("2,000 jobs through the gateway: every one accepted and completed, none lost, accuracy at least 95%, every 100th followed over /events with exactly one result event, every 10th called back with a verified signature; 20 streamed chat completions, each text its stored result's; one JSON object on stdout")
    func twoThousandJobs() async throws {
        let (result, summary, directory) = try await demo(["--jobs", "2000"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(result.termination == .exited(0), "\(result)")
        #expect(result.outputLines.count == 1, "\(result)")
        #expect(summary["submitted"] as? Int == 2000)
        #expect(summary["completed"] as? Int == 2000)
        #expect(summary["lost"] as? Int == 0)
        #expect((summary["accuracy"] as? Double ?? 0) >= 0.95, "\(summary)")
        #expect(summary["accepted"] as? Int == 2000, "\(summary)")
        #expect(summary["streams_followed"] as? Int == 20, "\(summary)")
        #expect(summary["result_events"] as? Int == 20, "\(summary)")
        #expect(summary["callbacks_expected"] as? Int == 200, "\(summary)")
        #expect(summary["callbacks_delivered"] as? Int == 200, "\(summary)")
        #expect(summary["callbacks_unverified"] as? Int == 0, "\(summary)")
        #expect(summary["chats"] as? Int == 20, "\(summary)")
        #expect(summary["chat_tokens"] as? Int == 400, "\(summary)")
        #expect(summary["chats_matching"] as? Int == 20, "\(summary)")
        for key in [
            "failed", "expired", "dead_lettered", "duplicates", "jobs_per_second", "p50_ms", "p95_ms", "p99_ms", "crashes",
            "too_many_requests", "push_p50_ms", "push_p99_ms", "chat_first_token_p50_ms", "chat_first_token_p99_ms",
        ] {
            #expect(summary[key] is NSNumber, "\(key) in \(summary)")
        }
        let database = try #require(summary["database"] as? String)
        #expect(database.hasSuffix(".kinfer/demo-results.db"))
        #expect(FileManager.default.fileExists(atPath: database))
        #expect(FileManager.default.fileExists(atPath: directory + "/.kinfer/demo-worker-1.log"))
    }

    @Test("5,000 jobs while workers are SIGKILLed and restarted: none lost")
    func crashingWorkers() async throws {
        let (result, summary, directory) = try await demo(["--jobs", "5000", "--crash-workers"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(result.termination == .exited(0), "\(result)")
        #expect(summary["completed"] as? Int == 5000, "\(summary)")
        #expect(summary["lost"] as? Int == 0, "\(summary)")
        #expect((summary["crashes"] as? Int ?? 0) > 0, "\(summary)")
        #expect(summary["callbacks_delivered"] as? Int == 500, "every callback delivered: \(summary)")
    }

    @Test("bad flags are one line and a usage hint")
    func badFlags() async throws {
        let result = try await KinferBinary.run(["demo", "--jobs", "0"])
        #expect(result.termination == .exited(64), "\(result)")
        #expect(result.errorLines.count == 1 && result.standardErrorText.contains("--jobs"), "\(result)")
    }
}
