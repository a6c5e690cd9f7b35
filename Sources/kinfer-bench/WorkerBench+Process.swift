import AsyncHTTPClient
import EmbeddedKafka
import Foundation
import Kafka
import KinferTestSupport
import NIOCore

/// The `swift-process` subject: `kinfer worker` as a child process on the same embedded cluster, so that its peak
/// RSS is the worker's own (the bench process also holds the cluster and every record in it).
extension WorkerBench {
    /// The `kinfer` command built beside this `kinfer-bench`, if there is one.
    static var kinferCommand: String? {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("kinfer").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    func processWorker(cluster: EmbeddedKafkaCluster) async throws -> BenchmarkLine {
        guard let kinfer = Self.kinferCommand else {
            throw BenchFailure("swift-process needs the kinfer command beside kinfer-bench: swift build -c release --product kinfer")
        }
        let topics = try createTopics("process", on: cluster)
        try await preload(cluster: cluster, topic: topics.jobs, count: messages, run: "process-\(runID)")
        let port = try freeLoopbackPort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-bench-worker-\(runID).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: kinfer)
        // The in-process subject's settings: EmbeddedKafkaCluster's consumer and producer configurations.
        child.arguments = [
            "worker", "--bootstrap-servers", cluster.bootstrapServers, "--group", "bench-worker-process-\(runID)",
            "--model", "simulated", "--http-port", "\(port)", "--worker-name", "bench-worker", "--log-level", "warning",
            "--jobs-topic", topics.jobs, "--results-topic", topics.results, "--retry-topic", topics.retry, "--dlq-topic", topics.deadLetter,
            "--kafka-property", "fetch.wait.max.ms=10", "--kafka-property", "socket.nagle.disable=true",
            "--kafka-property", "linger.ms=2",
        ]
        child.standardOutput = try FileHandle(forWritingTo: log)
        child.standardError = try FileHandle(forWritingTo: log)
        try child.run()
        defer { if child.isRunning { child.terminate() } }

        let metrics = "http://127.0.0.1:\(port)/metrics"
        var cpuAtFirst: (seconds: Double, completed: Int)?  // the child's CPU time when its first jobs were done
        let seconds = try await timeCompletions(until: messages, idleTimeout: idleTimeout, every: .milliseconds(5), subject: "swift-process (output in \(log.path))") {
            guard child.isRunning else {
                throw BenchFailure("swift-process: kinfer worker exited (\(child.terminationStatus)); its output is in \(log.path)")
            }
            let completed = await completedJobs(at: metrics) ?? 0
            if cpuAtFirst == nil, completed > 0, let cpu = ProcessCPU.seconds(ofProcess: child.processIdentifier) {
                cpuAtFirst = (cpu, completed)
            }
            return completed
        }
        let peak = PeakRSS.megabytes(ofProcess: child.processIdentifier)
        let cpuPerJob = ProcessCPU.seconds(ofProcess: child.processIdentifier).flatMap { cpu in
            cpuAtFirst.map { (cpu - $0.seconds) / Double(messages - $0.completed) * 1e6 }
        }
        child.terminate()
        try await waitForExit(child, timeout: .seconds(30))
        return BenchmarkLine(
            benchCase: "worker", subject: "swift-process", rate: Double(messages) / seconds, unit: "jobs/s",
            peakRSSMegabytes: peak, cpuMicroseconds: cpuPerJob, count: messages, seconds: seconds
        )
    }

    /// `kinfer_jobs_total{outcome="completed"}` from the worker's `/metrics`, or `nil` before it answers.
    private func completedJobs(at url: String) async -> Int? {
        guard let response = try? await HTTPClient.shared.get(url: url).get(), response.status == .ok, let body = response.body else {
            return nil
        }
        let text = String(buffer: body)
        let line = text.split(separator: "\n").first { $0.hasPrefix("kinfer_jobs_total{") && $0.contains(#"outcome="completed""#) }
        return line?.split(separator: " ").last.flatMap { Double($0) }.map { Int($0) }
    }

    private func waitForExit(_ child: Process, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while child.isRunning {
            guard ContinuousClock.now < deadline else {
                throw BenchFailure("swift-process: kinfer worker did not stop within \(timeout) of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
