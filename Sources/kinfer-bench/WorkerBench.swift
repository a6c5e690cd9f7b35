import ArgumentParser
import CKafkaBaselines
import EmbeddedKafka
import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import JobClient
import Kafka

/// `worker`: one in-process `InferenceWorker` with a `SimulatedModel` that does no work, on jobs pre-loaded into
/// the embedded cluster, against the references that do the same work (`cpp-json`, the C worker loop with the
/// contract's JSON in C++ against simdjson; `python` and `python-naive`, the Python workers on confluent-kafka), the
/// minimal C worker loop without JSON (the Kafka limit) and a naive Swift loop (consume one, await its result's
/// delivery, commit synchronously, repeat); then its end-to-end latency at half its peak rate. Every line's ratio to
/// `cpp-json` is printed beside its ratio to `c`.
struct WorkerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "InferenceWorker jobs/s (SimulatedModel, no work) vs the same work in C++ and Python, and the minimal C worker loop."
    )

    @Option(help: "Jobs for the InferenceWorker, the C and C++ loops and the Swift loops.")
    var messages = 200_000

    @Option(help: "Jobs for the python subject; default: --messages.")
    var pythonMessages: Int?

    @Option(help: "Jobs for the python-naive subject (one job at a time, flushed and committed: slow).")
    var pythonNaiveMessages = 2_000

    @Option(help: "The Python interpreter for the python subjects; default: KINFER_PYTHON, else the repository's .venv.")
    var python: String?

    @Option(help: "Jobs for the naive Swift loop (one job at a time: slow).")
    var naiveMessages = 5_000

    @Option(help: "Partitions per jobs and results topic; default: enough that none exceeds ~4 MiB on the mock.")
    var partitions: Int?

    @Option(help: "Jobs submitted at a steady rate for the latency line.")
    var latencyMessages = 100_000

    @Option(help: "Jobs/s for the latency line; default: half the swift subject's rate (20,000 without it).")
    var latencyRate: Double?

    @Option(help: "Only these subjects, comma-separated: swift,swift-process,c,cpp-json,swift-loop,swift-loop-json,naive,python,python-naive,latency.")
    var subjects: String?

    @Option(help: "Seconds without progress after which a subject fails.")
    var idleTimeout = 60

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    func validate() throws {
        guard messages > 0, naiveMessages > 0, latencyMessages > 0, (partitions ?? 1) > 0, (latencyRate ?? 1) > 0,
              (pythonMessages ?? 1) > 0, pythonNaiveMessages > 0
        else {
            throw ValidationError("--messages, --naive-messages, --python-messages, --python-naive-messages, --latency-messages, --latency-rate and --partitions must be positive")
        }
    }

    var partitionCount: Int {
        partitions ?? enoughPartitions(forRecords: max(messages, naiveMessages, latencyMessages, pythonMessages ?? 0))
    }

    func wants(_ subject: String) -> Bool { isWanted(subject, in: subjects) }

    static func job(_ index: Int, run: String) -> InferenceJob {
        InferenceJob(
            jobID: "bench-\(run)-\(index)",
            model: "simulated",
            inputs: ModelInput(features: [0.25, 0.5, Double(index % 1000) / 1000, 1]),
            submittedAt: Date()
        )
    }

    func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        var report = BenchmarkReport()
        let jobSize = JobCodec.encode(Self.job(123_456, run: runID)).count
        let sampleResult = JobResult(
            jobID: "bench-\(runID)-123456", status: .completed,
            output: ModelOutput(label: "3", confidence: 0.75, scores: [Double](repeating: 0.025, count: 10)),
            attempts: 1, model: "simulated", modelVersion: "simulated-1", worker: "bench-worker",
            submittedAt: Date(), startedAt: Date(), completedAt: Date()
        )
        let resultSize = JobCodec.encode(sampleResult).count

        var swiftLine: BenchmarkLine?
        var batchNote: String?
        if wants("swift") {
            let (line, note) = try await swiftWorker(cluster: cluster)
            swiftLine = line
            batchNote = note
        }
        var processLine: BenchmarkLine?
        var processNote: String?
        if wants("swift-process") {
            if subjects == nil && Self.kinferCommand == nil {
                processNote = "swift-process: skipped, no kinfer command beside kinfer-bench (swift build -c release --product kinfer)."
            } else {
                processLine = try await processWorker(cluster: cluster)
            }
        }
        var cRate: Double?
        if wants("c") {
            let line = try await cWorker(cluster: cluster, jobSize: jobSize, resultSize: resultSize)
            cRate = line.rate
            swiftLine?.baseline = "c"
            swiftLine?.baselineRate = line.rate
            processLine?.baseline = "c"
            processLine?.baselineRate = line.rate
            report.add(line)
        }
        var referenceNote: String?
        if wants("cpp-json") {
            var line = try await cppJSONWorker(cluster: cluster)
            if let cRate {
                line.baseline = "c"
                line.baselineRate = cRate
            }
            report.add(line)
        }
        for (subject, json) in [("swift-loop", false), ("swift-loop-json", true)] where wants(subject) {
            var line = try await swiftLoop(cluster: cluster, json: json, resultSize: resultSize)
            if let cRate {
                line.baseline = "c"
                line.baselineRate = cRate
            }
            report.add(line)
        }
        for line in [processLine, swiftLine].compactMap({ $0 }) { report.lines.insert(line, at: 0) }
        if wants("naive") {
            var line = try await naiveWorker(cluster: cluster)
            if let cRate {
                line.baseline = "c"
                line.baselineRate = cRate
            }
            report.add(line)
        }
        let pythonSubjects = [("python", false, pythonMessages ?? messages), ("python-naive", true, pythonNaiveMessages)].filter { wants($0.0) }
        if !pythonSubjects.isEmpty {
            if let unavailable = pythonUnavailable() {
                // Skipped when not asked for by name, as swift-process is without its command.
                guard subjects == nil else { throw BenchFailure("python subjects: \(unavailable)") }
                referenceNote = "python, python-naive: skipped, \(unavailable)."
            } else {
                for (_, naive, count) in pythonSubjects {
                    var line = try await pythonWorker(cluster: cluster, naive: naive, count: count)
                    if let cRate {
                        line.baseline = "c"
                        line.baselineRate = cRate
                    }
                    report.add(line)
                }
            }
        }
        if let cppRate = report.lines.first(where: { $0.subject == "cpp-json" })?.rate {
            for index in report.lines.indices {
                report.lines[index].reference = "cpp-json"
                report.lines[index].referenceRate = cppRate
            }
        }
        let latencyRate = latencyRate ?? swiftLine.map { $0.rate / 2 } ?? 20_000
        if wants("latency") {
            report.add(try await swiftLatency(cluster: cluster, rate: latencyRate))
        }
        report.notes = [
            "embedded cluster of 3 brokers in this process; jobs and results topics of \(partitionCount) partitions; jobs of ~\(jobSize) B (4 features), results of ~\(resultSize) B; producers acks=all, idempotent, linger.ms=2.",
            "swift: one InferenceWorker, SimulatedModel (zero latency), default WorkerConfiguration (batches up to 64, 5 ms delay, 2,000 in flight, commits every 200 ms, at least once); timed from the first acknowledged result to the last (counters polled every ms).",
            "c: kinfer_baseline_worker on the same cluster settings, \(jobSize)-byte jobs and \(resultSize)-byte fixed results; offsets stored on delivery reports, committed every 100 ms; timed from first job to last delivery report. No JSON: the Kafka limit.",
            "cpp-json: the c loop plus the contract's work in C++ (kinfer_reference_worker_json, built by SwiftPM with -O2 -march=native against Debian's libsimdjson-dev): each job parsed with simdjson's on-demand API (job_id, model, inputs.features, submitted_at parsed to a time, attempt), its result written with a plain buffer writer (the contract's shape with the top-level label and confidence, three RFC 3339 timestamps, shortest doubles), the two result headers; offsets stored on delivery reports, committed every 200 ms; timed from first job to last delivery report. The reference every line's last ratio is to.",
            "python: scripts/bench/worker.py --mode best in a child process (confluent-kafka with its own librdkafka, orjson) over loopback to this cluster: consume(num_messages=1000), orjson decode and encode (submitted_at passed through as read, started_at and completed_at as orjson writes datetimes), produce to the job's partition with both headers and a delivery callback that records the job's offset, commit(asynchronous=True) of those offsets every 200 ms, poll(0) in the loop; timed from first job to last delivery report. python-naive: --mode naive, poll one, produce, flush(), commit(asynchronous=False); \(pythonNaiveMessages) jobs. CPU µs: the script's own CPU time (from after its imports) plus this process's over the child's life (the cluster's share); peak RSS: the child's own.",
            "swift-loop: the c loop in Swift over kinfer's KafkaConsumer (batches of up to 1,024) and KafkaProducer (enqueue, the job's partition), the same fixed result; offsets stored from the delivery reports, committed every 100 ms; timed from first job to last delivery report. swift-loop-json: the same, but each job decoded and its result encoded with JobCodec, as the worker does. Between c and swift they split the worker's cost: the Swift client, the JSON, and the worker's own machinery.",
            "naive: Swift KafkaConsumer + KafkaProducer, one job at a time: decode, predict, encode, await send, store offset, await commit; \(naiveMessages) jobs.",
            "swift-latency: \(latencyMessages) jobs submitted at \(Int(latencyRate)) jobs/s (half the swift rate unless --latency-rate) to one InferenceWorker; p50/p99 from each job's submitted_at to its result being read from the results topic; rate is the submission rate achieved.",
            "swift-process: the kinfer worker command (simulated model, default settings) in a child process on the same cluster; timed from its first completed job to the last by polling its /metrics every 5 ms; its peak RSS is its own, and CPU µs is its CPU time (user + system, /proc/<pid>/stat) per job over the same span: the figure that varies least when other work shares the machine.",
            "CPU µs: CPU time (user + system) per job; for swift, c and the loops the whole bench process's over the subject's run (group join included), so with the embedded cluster's share; for swift-process the child's alone.",
            "peak RSS is the whole process's, including the embedded cluster's stored messages (swift-process: the child's alone).",
        ] + [batchNote, processNote, referenceNote].compactMap { $0 }
        report.print(json: json)
    }

    // MARK: Subjects

    func preload(cluster: EmbeddedKafkaCluster, topic: String, count: Int, run: String) async throws {
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: benchLogger)
        let jobs = JobProducer(producer: producer, topics: JobTopics(jobs: topic))
        var start = 0
        while start < count {
            let end = min(count, start + 20_000)
            _ = try await jobs.submit((start..<end).map { Self.job($0, run: run) })
            start = end
        }
        await producer.close()
    }

    func topics(_ name: String) -> JobTopics {
        JobTopics(
            jobs: "bench-\(name)-jobs-\(runID)", results: "bench-\(name)-results-\(runID)",
            retry: "bench-\(name)-retry-\(runID)", deadLetter: "bench-\(name)-dlq-\(runID)"
        )
    }

    /// The four topics of subject `name`: jobs and results sized by `partitionCount`, retry and dead letters small.
    func createTopics(_ name: String, on cluster: EmbeddedKafkaCluster) throws -> JobTopics {
        let topics = topics(name)
        try cluster.createTopic(topics.jobs, partitions: partitionCount)
        try cluster.createTopic(topics.results, partitions: partitionCount)
        try cluster.createTopic(topics.retry, partitions: 4)
        try cluster.createTopic(topics.deadLetter, partitions: 4)
        return topics
    }

    /// For the loops that use kinfer's Kafka clients directly: subject `name`'s jobs and results topics, `count` jobs
    /// pre-loaded, and a consumer that commits only when told and a producer on them.
    func loopClients(_ name: String, jobs count: Int, on cluster: EmbeddedKafkaCluster) async throws -> (JobTopics, KafkaConsumer, KafkaProducer) {
        let topics = topics(name)
        try cluster.createTopic(topics.jobs, partitions: partitionCount)
        try cluster.createTopic(topics.results, partitions: partitionCount)
        try await preload(cluster: cluster, topic: topics.jobs, count: count, run: "\(name)-\(runID)")
        var consumerConfiguration = cluster.consumerConfiguration(group: "bench-worker-\(name)-\(runID)")
        consumerConfiguration.properties["enable.auto.commit"] = "false"
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: benchLogger)
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: benchLogger)
        return (topics, consumer, producer)
    }

    /// An InferenceWorker of subject `name` on `topics`, with the default WorkerConfiguration and `model`.
    func makeWorker(_ name: String, on cluster: EmbeddedKafkaCluster, topics: JobTopics, model: any InferenceModel) throws -> InferenceWorker {
        var configuration = WorkerConfiguration(workerName: "bench-worker")
        configuration.topics = topics
        return try InferenceWorker(
            consumerConfiguration: cluster.consumerConfiguration(group: "bench-worker-\(name)-\(runID)"),
            producerConfiguration: cluster.producerConfiguration(),
            configuration: configuration,
            models: ModelCatalog([model]),
            logger: benchLogger
        )
    }

    func swiftWorker(cluster: EmbeddedKafkaCluster) async throws -> (BenchmarkLine, String) {
        let topics = try createTopics("swift", on: cluster)
        try await preload(cluster: cluster, topic: topics.jobs, count: messages, run: "swift-\(runID)")
        let model = BatchSizeRecordingModel()
        let worker = try makeWorker("swift", on: cluster, topics: topics, model: model)
        let cpu = ProcessCPU.ownSeconds
        let (seconds, peak) = try await timeWorker(worker, until: messages, idleTimeout: idleTimeout, subject: "InferenceWorker")
        let cpuPerJob = (ProcessCPU.ownSeconds - cpu) / Double(messages) * 1e6
        let counters = worker.counters
        let meanBatch = counters.batches > 0 ? Double(counters.batchedJobs) / Double(counters.batches) : 0
        let batchNote = String(format: "swift: %d batches, mean batch size %.1f jobs (batchedJobs/batches); %d completed (duplicates included), %d commit failures.",
                           counters.batches, meanBatch, counters.completed, counters.commitFailures)
            + " Model calls by batch size: \(model.distribution)."
        let line = BenchmarkLine(
            benchCase: "worker", subject: "swift", rate: Double(messages) / seconds, unit: "jobs/s",
            peakRSSMegabytes: peak, cpuMicroseconds: cpuPerJob, count: messages, seconds: seconds
        )
        return (line, batchNote)
    }

    func cWorker(cluster: EmbeddedKafkaCluster, jobSize: Int, resultSize: Int) async throws -> BenchmarkLine {
        let jobs = "bench-c-jobs-\(runID)"
        let results = "bench-c-results-\(runID)"
        let group = "bench-worker-c-\(runID)"
        try cluster.createTopic(jobs, partitions: partitionCount)
        try cluster.createTopic(results, partitions: partitionCount)
        try await Baseline.preProduce(cluster: cluster, topic: jobs, count: messages, size: jobSize)
        PeakRSS.reset()
        let bootstrap = cluster.bootstrapServers
        let consumerProperties = Baseline.properties(of: cluster.consumerConfiguration(group: group), defaults: KafkaConsumer.defaultProperties)
        let producerProperties = Baseline.properties(of: cluster.producerConfiguration())
        let (count, timeout) = (messages, Int32(idleTimeout * 1000))
        let cpu = ProcessCPU.ownSeconds
        let run = try await Baseline.run("C worker", properties: [consumerProperties, producerProperties]) { lists, timing, error, errorSize in
            kinfer_baseline_worker(
                bootstrap, jobs, results, group, Int64(count), resultSize,
                lists[0], consumerProperties.count, lists[1], producerProperties.count,
                timeout, timing, error, errorSize
            )
        }
        guard run.count == count, run.anomalies == 0 else {
            throw BenchFailure("C worker: \(run.count) of \(count) results delivered, \(run.anomalies) failed")
        }
        return BenchmarkLine(
            benchCase: "worker", subject: "c", rate: Double(run.count) / run.seconds, unit: "jobs/s",
            peakRSSMegabytes: PeakRSS.megabytes, cpuMicroseconds: (ProcessCPU.ownSeconds - cpu) / Double(count) * 1e6,
            count: run.count, seconds: run.seconds
        )
    }

    func naiveWorker(cluster: EmbeddedKafkaCluster) async throws -> BenchmarkLine {
        let (topics, consumer, producer) = try await loopClients("naive", jobs: naiveMessages, on: cluster)
        let model = SimulatedModel()
        PeakRSS.reset()
        try consumer.subscribe(topics: [topics.jobs])
        let clock = ContinuousClock()
        var first: ContinuousClock.Instant?
        var done = 0
        for try await message in consumer.messages {
            let job = try JobCodec.decodeJob(message.value, fallbackSubmittedAt: Date())
            let started = Date()
            let output = try await model.predict([job.inputs])[0]
            let result = JobResult(
                jobID: job.jobID, status: .completed, output: output, attempts: job.attempt,
                model: model.name, modelVersion: model.version, worker: "bench-naive",
                submittedAt: job.submittedAt, startedAt: started, completedAt: Date()
            )
            _ = try await producer.send(KafkaProducerMessage(topic: topics.results, key: job.jobID, value: JobCodec.encode(result)))
            try consumer.storeOffsets([message.topicPartition: message.offset + 1])
            try await consumer.commit()
            if first == nil { first = clock.now }
            done += 1
            if done == naiveMessages { break }
        }
        let seconds = (clock.now - first!).seconds
        let peak = PeakRSS.megabytes
        await consumer.close()
        await producer.close()
        // From the first result to the last: the first job's own round trip is not in the interval.
        return BenchmarkLine(
            benchCase: "worker", subject: "naive", rate: Double(done - 1) / seconds, unit: "jobs/s",
            peakRSSMegabytes: peak, count: done, seconds: seconds
        )
    }
}
