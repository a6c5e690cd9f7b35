import Foundation
import InferenceJobs
import KinferTestSupport
import Testing

@Suite("kinfer broker + worker + submit, tail, lag, dlq", .serialized)
struct PipelineTests {
    /// 64 features for the digits model.
    static let digitFeatures = (0..<64).map { String($0 % 17) }.joined(separator: ",")

    @Test("a job submitted from one process is completed by a worker in another; the group's lag reaches 0")
    func endToEnd() async throws {
        let broker = try await RunningBroker.start()
        defer { Task { await broker.stop() } }
        let worker = try await broker.startWorker(["--worker-name", "cli-test"])

        let submitted = try await broker.kinfer(["submit", "--features", Self.digitFeatures, "--json"])
        let receipt = try #require(submitted.outputLines.first)
        let jobID = try #require(try JSONSerialization.jsonObject(with: Data(receipt.utf8)) as? [String: Any])["job_id"] as? String

        let tailed = try await broker.kinfer(["tail", "--from-beginning", "--json", "--count", "1"], timeout: .seconds(60))
        let result = try JobCodec.decodeResult(Array(try #require(tailed.outputLines.first).utf8))
        #expect(result.jobID == jobID)
        #expect(result.status == .completed)
        #expect(result.worker == "cli-test")

        try await waitUntil("kinfer lag reports 0", timeout: .seconds(30), interval: .milliseconds(500)) {
            let lag = try await broker.kinfer(["lag", "--group", "kinfer-workers", "--json"])
            let object = try JSONSerialization.jsonObject(with: lag.standardOutput) as? [String: Any]
            return (object?["total_lag"] as? Int) == 0
        }
        let table = try await broker.kinfer(["lag", "--group", "kinfer-workers"])
        #expect(table.standardOutputText.contains("total lag 0"))

        // SIGTERM drains and exits cleanly.
        worker.send(signal: SIGTERM)
        #expect(try await worker.waitForExit(timeout: .seconds(30)) == .exited(0))
    }

    @Test("topics create on the embedded cluster says its topics come from kinfer broker")
    func topicsCreateOnEmbedded() async throws {
        let broker = try await RunningBroker.start()
        defer { Task { await broker.stop() } }
        let existing = try await broker.kinfer(["topics", "create"])
        #expect(existing.standardOutputText.contains("inference-jobs: exists"))
        let result = try await KinferBinary.run(
            ["topics", "create", "--jobs-topic", "brand-new", "--bootstrap-servers", broker.bootstrapServers], timeout: .seconds(30)
        )
        #expect(result.termination == .exited(1), "\(result)")
        #expect(result.errorLines.count == 1 && result.standardErrorText.contains("kinfer broker"), "\(result)")
    }

    @Test("dead letters of exhausted retries are listed, replayed as first attempts, and completed by a healthy worker")
    func deadLetterReplay() async throws {
        let broker = try await RunningBroker.start()
        defer { Task { await broker.stop() } }
        // A model backend that fails every call, with no retries left: every job is dead-lettered as retryable.
        let failing = try await broker.startWorker(["--model", "simulated", "--simulated-failure-rate", "1", "--max-attempts", "1"])
        let lines = (1...3).map { #"{"job_id": "replay-\#($0)", "model": "simulated", "features": [\#($0), 2, 3]}"# }
        let malformed = lines + ["{not json"]
        let submitted = try await KinferBinary.run(
            ["submit", "--file", "-", "--bootstrap-servers", broker.bootstrapServers], input: Data(malformed.joined(separator: "\n").utf8)
        )
        #expect(submitted.termination == .exited(1), "a malformed line makes the exit status 1: \(submitted)")
        #expect(submitted.outputLines.count == 3)
        #expect(submitted.standardErrorText.contains("line 4"), "\(submitted)")

        var listed: [[String: Any]] = []
        try await waitUntil("three dead letters", timeout: .seconds(60), interval: .milliseconds(500)) {
            let list = try await broker.kinfer(["dlq", "list", "--json", "--error-class", "retryable"])
            listed = list.outputLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return listed.count == 3
        }
        #expect(Set(listed.compactMap { $0["job_id"] as? String }) == ["replay-1", "replay-2", "replay-3"])
        #expect(listed.allSatisfy { $0["original_topic"] as? String == "inference-jobs" && $0["time"] is String })
        let none = try await broker.kinfer(["dlq", "list", "--json", "--error-class", "poison"])
        #expect(none.outputLines.isEmpty)

        failing.send(signal: SIGTERM)
        #expect(try await failing.waitForExit(timeout: .seconds(30)) == .exited(0))
        let healthy = try await broker.startWorker(["--model", "simulated"])

        let replay = try await broker.kinfer(["dlq", "replay", "--error-class", "retryable", "--since", "1h"])
        #expect(replay.standardOutputText.contains("replayed 3 dead letters"), "\(replay)")

        // Each job has its failed result (from the dead-lettering) and then a completed one from the replay.
        let tailed = try await broker.kinfer(["tail", "--from-beginning", "--json", "--count", "6"], timeout: .seconds(90))
        let results = try tailed.outputLines.map { try JobCodec.decodeResult(Array($0.utf8)) }
        for id in ["replay-1", "replay-2", "replay-3"] {
            let completed = results.first { $0.jobID == id && $0.status == .completed }
            #expect(completed?.attempts == 1, "\(id) completed as a first attempt after replay")
            #expect(results.contains { $0.jobID == id && $0.status == .failed && $0.error?.errorClass == .retryable })
        }
        healthy.send(signal: SIGTERM)
        #expect(try await healthy.waitForExit(timeout: .seconds(30)) == .exited(0))
    }
}
