import ArgumentParser
import EmbeddedKafka
import Foundation
import InferenceJobs
import Kafka
import ResultStore
import ResultsSink
import Synchronization

/// `sink`: `ResultsSink` writing results pre-loaded into the embedded cluster into SQLite and PostgreSQL, against
/// a plain PostgreSQL `COPY` of the same rows into an empty table (the limit).
struct SinkBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "ResultsSink rows/s into SQLite and PostgreSQL vs a plain COPY of the same rows."
    )

    @Option(help: "Results per store.")
    var messages = 100_000

    @Option(help: "Partitions of each results topic; default: enough that none exceeds ~4 MiB on the mock.")
    var partitions: Int?

    @Option(help: "PostgreSQL to write into (its inference_results table), e.g. postgres://kinfer@127.0.0.1:5432/postgres?sslmode=disable. Without it the postgres and copy lines are skipped.")
    var postgresURL: String?

    @Option(help: "Only these subjects, comma-separated: sqlite,postgres (copy runs with postgres).")
    var subjects: String?

    @Option(help: "Seconds without a new row after which a subject fails.")
    var idleTimeout = 60

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    func validate() throws {
        guard messages > 0, (partitions ?? 1) > 0 else { throw ValidationError("--messages and --partitions must be positive") }
    }

    var partitionCount: Int { partitions ?? enoughPartitions(forRecords: messages) }

    func wants(_ subject: String) -> Bool { isWanted(subject, in: subjects) }

    static func result(_ index: Int, run: String) -> JobResult {
        let now = Date()
        let best = index % 10
        var scores = [Double](repeating: 0.025, count: 10)
        scores[best] = 0.775
        return JobResult(
            jobID: "bench-\(run)-\(index)", status: .completed,
            output: ModelOutput(label: String(best), confidence: 0.775, scores: scores),
            attempts: 1, model: "simulated", modelVersion: "simulated-1", worker: "bench-worker",
            submittedAt: now, startedAt: now, completedAt: now
        )
    }

    func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        var report = BenchmarkReport()
        var notes: [String] = []
        let resultSize = JobCodec.encode(Self.result(123_456, run: runID)).count

        if wants("sqlite") {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-bench-sink-\(runID)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("results.db").path
            let (line, _) = try await sink(cluster: cluster, url: path, subject: "sqlite")
            report.add(line)
            notes.append("sqlite: a fresh file in \(FileManager.default.temporaryDirectory.path).")
        }
        if wants("postgres") {
            if let postgresURL {
                let (postgres, run) = try await sink(cluster: cluster, url: postgresURL, subject: "postgres")
                let copy = try await copyLimit(url: postgresURL, run: run)
                var line = postgres
                line.baseline = "copy"
                line.baselineRate = copy.rate
                report.add(line)
                report.add(copy)
                notes.append("copy: the rows the sink wrote, exported with psql \\copy to CSV, then `psql -c \"\\copy <empty table LIKE inference_results INCLUDING ALL> FROM <csv> CSV\"` timed (includes psql's start and connection, a few ms).")
            } else {
                notes.append("postgres and copy skipped: no --postgres-url given.")
            }
        }
        report.notes = [
            "\(messages) results of ~\(resultSize) B per store, pre-loaded into the embedded cluster (3 brokers, \(partitionCount) partitions); ResultsSink with the default SinkConfiguration (batches up to 1,000, commit after each write).",
            "rows/s: the rows after the first committed write over the time from it to the last, polling the sink's count of committed rows every 5 ms; store.count() checked once at the end.",
        ] + notes + batchNotes.withLock { $0 }
        report.print(json: json)
    }

    /// Pre-loads results into a topic of their own, runs a `ResultsSink` into `url`, and times the rows appearing.
    func sink(cluster: EmbeddedKafkaCluster, url: String, subject: String) async throws -> (BenchmarkLine, String) {
        let run = "\(subject)-\(runID)"
        let topic = "bench-sink-results-\(run)"
        try cluster.createTopic(topic, partitions: partitionCount)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: benchLogger)
        var start = 0
        while start < messages {
            let end = min(messages, start + 20_000)
            let pending = DeliveryCount()
            for index in start..<end {
                let result = Self.result(index, run: run)
                try await producer.enqueue(KafkaProducerMessage(topic: topic, key: result.jobID, value: JobCodec.encode(result))) {
                    pending.record($0)
                }
            }
            try await producer.flush(timeout: .seconds(60))
            for _ in 0..<500 where pending.delivered < end - start {  // reports may trail the flush a moment
                try await Task.sleep(for: .milliseconds(10))
            }
            guard pending.delivered == end - start else {
                throw BenchFailure("pre-load of \(topic): \(pending.delivered) of \(end - start) delivered")
            }
            start = end
        }
        await producer.close()

        var configuration = SinkConfiguration()
        configuration.resultsTopic = topic
        configuration.deadLetterTopic = "\(topic).dlq"
        let store = try makeResultStore(url: url, logger: benchLogger)
        let line: BenchmarkLine = try await withRunningResultStore(store) { store in
            try await store.migrate()
            let before = try await store.count()
            let sink = try ResultsSink(
                consumerConfiguration: cluster.consumerConfiguration(group: "bench-sink-\(run)"),
                producerConfiguration: cluster.producerConfiguration(),
                store: store,
                configuration: configuration,
                logger: benchLogger
            )
            PeakRSS.reset()
            let running = Task { try await sink.run() }
            defer { running.cancel() }
            let clock = ContinuousClock()
            var first: (count: Int, at: ContinuousClock.Instant)?
            var last = (count: 0, at: clock.now)
            // Progress from the sink's own count of committed rows: polling `store.count()` instead scanned the
            // whole table every 20 ms on the database the sink writes to (on PostgreSQL more server time than the
            // inserts themselves), so it measured the poll as much as the sink. The store is counted once at the end.
            while true {
                let rows = sink.counters.written
                let now = clock.now
                if first == nil && rows > 0 { first = (rows, now) }
                if rows != last.count { last = (rows, now) }
                if rows >= messages { break }
                if now - last.at > .seconds(idleTimeout) {
                    throw BenchFailure("\(subject) sink: \(rows) of \(messages) rows, none new for \(idleTimeout) s")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            let peak = PeakRSS.megabytes
            let stored = try await store.count() - before
            guard stored == messages else {
                throw BenchFailure("\(subject) sink: counted \(sink.counters.written) rows written, but the store holds \(stored) new rows, not \(messages)")
            }
            let batches = sink.counters.batches
            batchNotes.withLock {
                $0.append(String(format: "%@: %d write batches, mean %.1f rows per batch (counters.written/batches), %d duplicates absorbed.",
                                 subject, batches, Double(sink.counters.written) / Double(max(batches, 1)), sink.counters.duplicatesAbsorbed))
            }
            running.cancel()
            _ = try? await running.value
            let seconds = (last.at - first!.at).seconds
            return BenchmarkLine(
                benchCase: "sink", subject: subject, rate: Double(messages - first!.count) / seconds, unit: "rows/s",
                peakRSSMegabytes: peak, count: messages, seconds: seconds
            )
        }
        return (line, run)
    }

    /// Exports the rows of run `run` to CSV and times `\copy` of them into an empty table shaped like `inference_results`.
    func copyLimit(url: String, run: String) async throws -> BenchmarkLine {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-bench-copy-\(runID).csv").path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let table = "bench_copy_\(runID)"
        let columns = "job_id, status, label, confidence, output, error_class, error_message, attempts, model, model_version, worker, submitted_at, started_at, completed_at, source_partition, source_offset"
        try psql(url, "\\copy (SELECT \(columns) FROM inference_results WHERE job_id LIKE 'bench-\(run)-%') TO '\(csv)' CSV")
        try psql(url, "CREATE TABLE \(table) (LIKE inference_results INCLUDING ALL)")
        defer { _ = try? psql(url, "DROP TABLE IF EXISTS \(table)") }
        let clock = ContinuousClock()
        let started = clock.now
        let output = try psql(url, "\\copy \(table) (\(columns)) FROM '\(csv)' CSV")
        let seconds = (clock.now - started).seconds
        let copied = Int(output.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "") ?? -1
        guard copied == messages else { throw BenchFailure("copy: psql reported '\(output)', expected \(messages) rows") }
        return BenchmarkLine(benchCase: "sink", subject: "copy", rate: Double(copied) / seconds, unit: "rows/s", count: copied, seconds: seconds)
    }

    /// Runs `psql URL -v ON_ERROR_STOP=1 -c command`, returning its standard output; fails on a non-zero exit.
    @discardableResult
    func psql(_ url: String, _ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-c", command]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("psql -c \(command): exit \(process.terminationStatus): \(String(decoding: error, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The sinks' batch figures, for the notes.
let batchNotes = Mutex<[String]>([])

/// Counts successful delivery reports from the producer's callbacks.
final class DeliveryCount: Sendable {
    private let count = Mutex<Int>(0)
    func record(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        if case .success = result { count.withLock { $0 += 1 } }
    }
    var delivered: Int { count.withLock { $0 } }
}
