import CKafkaBaselines
import EmbeddedKafka
import Foundation
import InferenceJobs
import Kafka

/// The references that do the worker's work (issue #19): `cpp-json`, the C worker loop with the job contract's JSON
/// in C++ against simdjson, and `python` / `python-naive`, the worker a Python team would write on confluent-kafka
/// (`scripts/bench/worker.py`), each on the same embedded cluster, jobs and partitions as the Swift subjects.
extension WorkerBench {
    func cppJSONWorker(cluster: EmbeddedKafkaCluster) async throws -> BenchmarkLine {
        let subject = "cpp-json"
        let topics = topics(subject)
        try cluster.createTopic(topics.jobs, partitions: partitionCount)
        try cluster.createTopic(topics.results, partitions: partitionCount)
        try await preload(cluster: cluster, topic: topics.jobs, count: messages, run: "\(subject)-\(runID)")
        let group = "bench-worker-\(subject)-\(runID)"
        PeakRSS.reset()
        let bootstrap = cluster.bootstrapServers
        let consumerProperties = Baseline.properties(of: cluster.consumerConfiguration(group: group), defaults: KafkaConsumer.defaultProperties)
        let producerProperties = Baseline.properties(of: cluster.producerConfiguration())
        let (count, timeout) = (messages, Int32(idleTimeout * 1000))
        let sample = SampleBuffer(capacity: 4096)
        let cpu = ProcessCPU.ownSeconds
        let run = try await Baseline.run(subject, properties: [consumerProperties, producerProperties]) { lists, timing, error, errorSize in
            kinfer_reference_worker_json(
                bootstrap, topics.jobs, topics.results, group, Int64(count),
                lists[0], consumerProperties.count, lists[1], producerProperties.count,
                timeout, timing, sample.pointer, sample.capacity, error, errorSize
            )
        }
        let cpuPerJob = (ProcessCPU.ownSeconds - cpu) / Double(count) * 1e6
        guard run.count == count, run.anomalies == 0 else {
            throw BenchFailure("\(subject): \(run.count) of \(count) results delivered, \(run.anomalies) failed")
        }
        try checkSample(Array(sample.string.utf8), of: subject)
        return BenchmarkLine(
            benchCase: "worker", subject: subject, rate: Double(run.count) / run.seconds, unit: "jobs/s",
            peakRSSMegabytes: PeakRSS.megabytes, cpuMicroseconds: cpuPerJob, count: run.count, seconds: run.seconds
        )
    }

    /// The last result a reference wrote must decode as the contract's result, with its top-level label and
    /// confidence: the reference did the work it is credited with.
    func checkSample(_ sample: [UInt8], of subject: String) throws {
        let text = String(decoding: sample, as: UTF8.self)
        do {
            let result = try JobCodec.decodeResult(sample)
            let scoreCount = result.output?.classification?.scores.count
            guard result.status == .completed, scoreCount == 10,
                  text.contains(#""status":"completed","label":"3","confidence":0.75,"#)
            else {
                throw BenchFailure("\(subject): its last result is not a completed result of the contract's shape: \(text)")
            }
        } catch let error as JobDecodingError {
            throw BenchFailure("\(subject): its last result does not decode (\(error)): \(text)")
        }
    }

    // MARK: Python

    /// The repository this bench was built from: `scripts/bench/worker.py` and `.venv` are found there.
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var pythonScript: URL { repository.appendingPathComponent("scripts/bench/worker.py") }

    /// `--python`, else `KINFER_PYTHON`, else the repository's `.venv/bin/python`, else `/usr/bin/python3`.
    var pythonInterpreter: String {
        if let python { return python }
        if let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"], !python.isEmpty { return python }
        let venv = Self.repository.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// Why the Python subjects cannot run here, or `nil` when the interpreter imports confluent_kafka and orjson.
    func pythonUnavailable() -> String? {
        guard FileManager.default.fileExists(atPath: Self.pythonScript.path) else {
            return "no \(Self.pythonScript.path) (the bench runs from a checkout)"
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: pythonInterpreter)
        check.arguments = ["-c", "import confluent_kafka, orjson"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do {
            try check.run()
            check.waitUntilExit()
        } catch {
            return "\(pythonInterpreter) does not start (\(error))"
        }
        guard check.terminationStatus == 0 else {
            return "\(pythonInterpreter) cannot import confluent_kafka and orjson (scripts/test installs both into .venv; or pass --python)"
        }
        return nil
    }

    /// `scripts/bench/worker.py --mode best|naive` on `count` pre-loaded jobs. CPU µs per job is the script's own CPU
    /// time (all its threads, from after its imports) plus this process's over the child's life (the cluster's share),
    /// as for the in-process subjects.
    func pythonWorker(cluster: EmbeddedKafkaCluster, naive: Bool, count: Int) async throws -> BenchmarkLine {
        let subject = naive ? "python-naive" : "python"
        let topics = topics(subject)
        try cluster.createTopic(topics.jobs, partitions: partitionCount)
        try cluster.createTopic(topics.results, partitions: partitionCount)
        try await preload(cluster: cluster, topic: topics.jobs, count: count, run: "\(subject)-\(runID)")
        let group = "bench-worker-\(subject)-\(runID)"
        let consumerProperties = Baseline.properties(of: cluster.consumerConfiguration(group: group), defaults: KafkaConsumer.defaultProperties)
        let producerProperties = Baseline.properties(of: cluster.producerConfiguration())
        func pairs(_ flag: String, _ list: [String]) -> [String] {
            stride(from: 0, to: list.count - 1, by: 2).flatMap { [flag, "\(list[$0])=\(list[$0 + 1])"] }
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: pythonInterpreter)
        child.arguments = [
            Self.pythonScript.path, "--mode", naive ? "naive" : "best",
            "--bootstrap-servers", cluster.bootstrapServers, "--jobs", topics.jobs, "--results", topics.results,
            "--group", group, "--count", "\(count)", "--idle-timeout", "\(idleTimeout)",
        ] + pairs("--consumer-property", consumerProperties) + pairs("--producer-property", producerProperties)
        let output = Pipe()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-bench-\(subject)-\(runID).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        child.standardOutput = output
        child.standardError = try FileHandle(forWritingTo: log)
        let cpu = ProcessCPU.ownSeconds
        try child.run()
        defer { if child.isRunning { child.terminate() } }
        // The report is one short line, read once the child is done; the peak RSS is the child's own, read while it runs.
        var peak: Double?
        let deadline = ContinuousClock.now + .seconds(max(idleTimeout * 4, 600))
        while child.isRunning {
            if let rss = PeakRSS.megabytes(ofProcess: child.processIdentifier) { peak = max(peak ?? 0, rss) }
            guard ContinuousClock.now < deadline else { throw BenchFailure("\(subject): still running after \(deadline); output in \(log.path)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let ownCPU = ProcessCPU.ownSeconds - cpu
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard child.terminationStatus == 0 else {
            throw BenchFailure("\(subject): worker.py exited \(child.terminationStatus); its output is in \(log.path)")
        }
        guard let line = text.split(separator: "\n").last,
              let report = try? JSONDecoder().decode(PythonReport.self, from: Data(line.utf8))
        else { throw BenchFailure("\(subject): no report from worker.py: \(text)") }
        guard report.count == count, report.failed == 0 else {
            throw BenchFailure("\(subject): \(report.count) of \(count) results delivered, \(report.failed) failed")
        }
        try checkSample(Array(report.sample.utf8), of: subject)
        return BenchmarkLine(
            benchCase: "worker", subject: subject, rate: Double(count) / report.seconds, unit: "jobs/s",
            peakRSSMegabytes: peak, cpuMicroseconds: (report.cpuSeconds + ownCPU) / Double(count) * 1e6,
            count: count, seconds: report.seconds
        )
    }
}

/// What `scripts/bench/worker.py` prints.
private struct PythonReport: Decodable {
    var count: Int
    var failed: Int
    var seconds: Double
    var cpuSeconds: Double
    var sample: String

    enum CodingKeys: String, CodingKey {
        case count, failed, seconds, sample
        case cpuSeconds = "cpu_seconds"
    }
}

/// A C buffer a C loop writes a NUL-terminated string into, on its own thread.
private final class SampleBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<CChar>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        self.pointer = .allocate(capacity: capacity)
        self.pointer.initialize(repeating: 0, count: capacity)
    }

    deinit { pointer.deallocate() }

    /// Read only after the loop has returned.
    var string: String { String(cString: pointer) }
}
