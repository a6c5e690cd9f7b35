import Foundation
import InferenceJobs
import Kafka
import KinferTestSupport
import Testing

@Suite("kinfer sink", .serialized)
struct SinkTests {
    @Test("broker + worker + sink processes: a submitted job's row is read back by kinfer status")
    func sinkWritesRows() async throws {
        try await throughSink { broker in
            let submitted = try await broker.kinfer(["submit", "--features", PipelineTests.digitFeatures, "--json"])
            let receipt = try #require(submitted.outputLines.first)
            let jobID = try #require(try JSONSerialization.jsonObject(with: Data(receipt.utf8)) as? [String: Any])["job_id"] as? String
            return try #require(jobID)
        }
    }

    @Test("a plain-shape job produced by kcat (not kinfer) is processed and readable with kinfer status")
    func plainShapeFromKcat() async throws {
        let kcat = ProcessInfo.processInfo.environment["KINFER_KCAT"] ?? "/usr/bin/kcat"
        try #require(FileManager.default.isExecutableFile(atPath: kcat), "kcat not found at \(kcat): run scripts/test, which installs it")
        try await throughSink { broker in
            let id = "kcat-\(UUID().uuidString.prefix(8))"
            let job = #"{"job_id":"\#(id)","image_url":"s3://bucket/7.png","features":[\#(PipelineTests.digitFeatures)],"callback_url":"http://127.0.0.1:1/cb","submitted_at":"2026-11-29T01:46:51.123Z"}"#
            let produced = try await ChildProcess.run(
                kcat, ["-P", "-b", broker.bootstrapServers, "-t", "inference-jobs", "-K", "|"],
                input: Data("\(id)|\(job)\n".utf8), timeout: .seconds(30)
            )
            try produced.requireSuccess()
            return id
        }
    }

    /// Runs broker, worker and sink processes, submits one job with `submit`, and checks `kinfer status` shows it completed.
    private func throughSink(_ submit: (RunningBroker) async throws -> String) async throws {
        let broker = try await RunningBroker.start()
        defer { Task { await broker.stop() } }
        let worker = try await broker.startWorker(["--worker-name", "sink-test", "--http-port", "9192"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = "sqlite://" + directory.appendingPathComponent("results.db").path

        let sink = try KinferBinary.launch([
            "sink", "--bootstrap-servers", broker.bootstrapServers, "--database", database,
            "--kafka-property", "session.timeout.ms=6000", "--http-port", "9191", "--max-batch-size", "100", "--retention-hours", "24",
        ])
        try await sink.waitForOutput(containing: "partitions assigned", on: .standardError, timeout: .seconds(60))

        let id = try await submit(broker)
        var status: ChildProcessResult?
        try await waitUntil("kinfer status finds the job", timeout: .seconds(60), interval: .milliseconds(500)) {
            let result = try await KinferBinary.run(["status", id, "--database", database, "--json"])
            status = result
            return result.succeeded
        }
        let output = try #require(status).standardOutput
        let row = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(row["status"] as? String == "completed")
        #expect(row["job_id"] as? String == id)
        #expect(row["worker"] as? String == "sink-test")

        // Both serve /metrics and /readyz on their --http-port.
        try await waitUntil("the sink's /readyz answers 200") { (try? await httpGet("http://127.0.0.1:9191/readyz").status) == 200 }
        let sinkMetrics = PrometheusSamples(try await httpGet("http://127.0.0.1:9191/metrics").body)
        #expect(sinkMetrics.value("kinfer_sink_rows_written_total") == 1)
        #expect(sinkMetrics.value("kinfer_ready", ["service": "sink"]) == 1)
        try await waitUntil("the worker's /readyz answers 200") { (try? await httpGet("http://127.0.0.1:9192/readyz").status) == 200 }
        let workerMetrics = PrometheusSamples(try await httpGet("http://127.0.0.1:9192/metrics").body)
        #expect(workerMetrics.value("kinfer_jobs_total", ["model": "digits", "outcome": "completed"]) == 1)
        #expect(workerMetrics.value("kinfer_ready", ["service": "worker"]) == 1)

        sink.send(signal: SIGTERM)
        #expect(try await sink.waitForExit(timeout: .seconds(30)) == .exited(0))
        worker.send(signal: SIGTERM)
        #expect(try await worker.waitForExit(timeout: .seconds(30)) == .exited(0))
    }

    /// Production brokers usually run with `auto.create.topics.enable=false`, so the results dead-letter topic exists
    /// only if the topology makes it. librdkafka 2.0.2's mock cluster cannot turn auto-creation off: it has no
    /// broker-side switch, and honours a client's `allow.auto.create.topics=false` only in Metadata v4+, which it does
    /// not offer (librdkafka logs "not supported by broker"), so it creates any topic a client names, with 4
    /// partitions. This test therefore tells the topology's topics from auto-created ones by their partition count
    /// (the broker's `--partitions 2`), looked up before any client names them.
    @Test("kinfer broker and kinfer topics create have all eight topics; the sink dead-letters an undecodable result on inference-results.dlq", .timeLimit(.minutes(3)))
    func undecodableResultOnTheTopologysDeadLetterTopic() async throws {
        let eight = ["inference-jobs", "inference-results", "inference-stream", "inference-jobs.retry", "inference-jobs.dlq", "inference-results.dlq", "inference-results.callbacks.retry", "inference-results.callbacks.dlq"]
        let broker = try await RunningBroker.start(partitions: 2)
        defer { Task { await broker.stop() } }
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: [broker.bootstrapServers]))
        let partitions = Dictionary(uniqueKeysWithValues: try await admin.describeTopics().map { ($0.name, $0.partitions.count) })
        for topic in eight {
            #expect(partitions[topic] == 2, "\(topic) made by kinfer broker, with its --partitions")
        }
        // `kinfer topics create` wants the same eight, and finds them.
        let created = try await broker.kinfer(["topics", "create"])
        #expect(created.outputLines.map(String.init).sorted() == eight.map { "\($0): exists" }.sorted())

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = try KinferBinary.launch([
            "sink", "--bootstrap-servers", broker.bootstrapServers, "--database", "sqlite://" + directory.appendingPathComponent("results.db").path,
            "--kafka-property", "session.timeout.ms=6000", "--http-port", "0",
        ])
        try await sink.waitForOutput(containing: "partitions assigned", on: .standardError, timeout: .seconds(60))

        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: [broker.bootstrapServers]))
        _ = try await producer.send(KafkaProducerMessage(topic: "inference-results", key: "not-a-result", value: Array("{not json".utf8)))
        await producer.close()

        var readerConfiguration = KafkaConfiguration(bootstrapServers: [broker.bootstrapServers], properties: ["fetch.wait.max.ms": "10"])
        readerConfiguration.groupID = uniqueName("results-dlq")
        readerConfiguration.autoOffsetReset = .earliest
        let reader = try KafkaConsumer(configuration: readerConfiguration)
        try reader.subscribe(topics: ["inference-results.dlq"])
        let letters = try await consume(reader, count: 1, timeout: .seconds(60))
        await reader.close()
        #expect(letters.first?.value == Array("{not json".utf8))
        #expect(letters.first?.key == Array("not-a-result".utf8))
        #expect(letters.first?.headers.first(JobHeaders.errorClass) == JobErrorClass.poison.rawValue)
        #expect(letters.first?.headers.first(JobHeaders.originalTopic) == "inference-results")
        #expect(try await admin.describeTopics(["inference-results.dlq"]).first?.partitions.count == 2, "still the topology's topic")

        sink.send(signal: SIGTERM)
        #expect(try await sink.waitForExit(timeout: .seconds(30)) == .exited(0))
    }

    @Test("a bad database URL is one line on stderr")
    func badDatabase() async throws {
        let result = try await KinferBinary.run(["sink", "--bootstrap-servers", "127.0.0.1:1", "--max-batch-size", "0"], timeout: .seconds(30))
        #expect(result.termination == .exited(64), "\(result)")
        #expect(result.errorLines.count == 1, "\(result)")
    }
}
