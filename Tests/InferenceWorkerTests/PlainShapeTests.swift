import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import KinferTestSupport
import MetricsTestKit
import Testing

@Suite("Jobs from Python services")
struct PlainShapeTests {
    /// Produces plain-shape jobs the way a Python service does, with confluent-kafka (its own librdkafka).
    static let producer = """
        import json, sys
        from confluent_kafka import Producer
        bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        features = json.loads(sys.stdin.read())
        p = Producer({"bootstrap.servers": bootstrap, "socket.nagle.disable": True, "enable.idempotence": True})
        for i in range(count):
            job = {"job_id": "py-%d" % i, "image_url": "s3://bucket/%d.png" % i,
                   "features": features[i % len(features)], "callback_url": "http://127.0.0.1:1/cb",
                   "submitted_at": "2026-11-29T01:46:51.123Z"}
            p.produce(topic, key=job["job_id"], value=json.dumps(job))
            p.poll(0)
        assert p.flush(30) == 0
        """

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python")

    static func python() throws -> String {
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.venv/bin/python").standardized.path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ChildProcessError(description: "no Python with confluent-kafka at \(python): run scripts/test, which installs it")
        }
        return python
    }

    @Test("200 plain-shape jobs produced by confluent-kafka are processed like Swift-produced ones, their callback_url carried into the results")
    func confluentKafkaPlainShape() async throws {
        let python = try Self.python()
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        let testSet = try DigitsTestSet()
        let model = try DigitsClassifier()
        let count = 200
        let features = try JSONSerialization.data(withJSONObject: testSet.features.prefix(count).map { $0.map(Int.init) })
        let produced = try await ChildProcess.run(
            python, ["-c", Self.producer, pipeline.cluster.bootstrapServers, pipeline.topics.jobs, "\(count)"],
            input: features, timeout: .seconds(60)
        )
        try produced.requireSuccess()

        let worker = try pipeline.startWorker(pipeline.workerConfiguration(), models: ModelCatalog([model]))
        let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= count }
        try await worker.stop()
        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        for index in 0..<count {
            let result = try #require(byID["py-\(index)"])
            let expected = try model.predict(ModelInput(features: testSet.features[index])).classification?.label
            #expect(result.status == .completed)
            #expect(result.output?.classification?.label == expected)
            #expect(JobTimestamp.format(result.submittedAt) == "2026-11-29T01:46:51.123Z")
            // Carried over for the notifier, which reads only the results topic.
            #expect(result.callbackURL == "http://127.0.0.1:1/cb")
        }
    }

    /// What the Python producer reports for each acknowledged job.
    struct SentJob: Decodable {
        var job_id: String
        var index: Int
        var submitted_ms: Int64
    }

    /// What a consumer of the flat result shape reads from each completed result.
    struct FlatResult: Decodable {
        var job_id: String
        var label: String
        var confidence: Double
    }

    @Test("Jobs stamped with time.time(), Date.now() milliseconds, nothing or garbage complete, and flat consumers read the results")
    func producersStampingTheirOwnWay() async throws {
        let python = try Self.python()
        let pipeline = try Pipeline(brokers: 1, partitions: 4)
        let testSet = try DigitsTestSet()
        let model = try DigitsClassifier()
        let spec: [String: Any] = [
            "features": testSet.features.map { $0.map(Int.init) }, "seconds": 5_000, "milliseconds": 5_000, "unstamped": 1_000,
        ]
        let produced = try await ChildProcess.run(
            python, [Self.scripts.appendingPathComponent("produce_stamped_jobs.py").path, pipeline.cluster.bootstrapServers, pipeline.topics.jobs],
            input: try JSONSerialization.data(withJSONObject: spec), timeout: .seconds(120)
        ).requireSuccess()
        let sent = try produced.standardOutputText.split(separator: "\n").map { try JSONDecoder().decode(SentJob.self, from: Data($0.utf8)) }
        let unreadable = sent.filter { $0.job_id.hasPrefix("py-unreadable-") }.count
        try #require(sent.count == 11_000 + unreadable && unreadable == 10, "the producer reported \(sent.count) jobs")

        let metrics = TestMetrics()
        let worker = try pipeline.startWorker(pipeline.workerConfiguration(), models: ModelCatalog([model]), metricsFactory: metrics)
        let results = try await pipeline.readResults { Set($0.map(\.jobID)).count >= sent.count }
        try await worker.stop()

        let byID = Dictionary(results.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        var wrong: [String] = []
        for job in sent {
            guard let result = byID[job.job_id] else {
                wrong.append("\(job.job_id): no result")
                continue
            }
            let expected = try model.predict(ModelInput(features: testSet.features[job.index % testSet.features.count])).classification?.label ?? ""
            let reported = Int64((result.submittedAt.timeIntervalSince1970 * 1000).rounded())
            if result.status != .completed || result.output?.classification?.label != expected || reported != job.submitted_ms {
                wrong.append("\(job.job_id): \(result.status), label \(result.output?.classification?.label ?? "-") (expected \(expected)), submitted_at \(reported) ms (sent \(job.submitted_ms))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) jobs came out wrong, e.g. \(wrong.prefix(5))")
        for field in ["submitted_at", "attempt", "timeout_ms", "model", "callback_url", "deadline"] {
            let expected = field == "submitted_at" ? 5 : 1
            let counted = try metrics.expectCounter("kinfer_job_fields_ignored_total", [("field", field)]).totalValue
            #expect(counted == expected, "kinfer_job_fields_ignored_total{field=\"\(field)\"}")
        }

        // A consumer written for {"job_id", "label", "confidence", "completed_at"} reads kinfer's results as they are.
        let read = try await ChildProcess.run(
            python, [Self.scripts.appendingPathComponent("read_flat_results.py").path, pipeline.cluster.bootstrapServers, pipeline.topics.results, "\(sent.count)", "60"],
            timeout: .seconds(90)
        ).requireSuccess()
        let flat = try read.standardOutputText.split(separator: "\n").map { try JSONDecoder().decode(FlatResult.self, from: Data($0.utf8)) }
        let flatByID = Dictionary(flat.map { ($0.job_id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(flatByID.count == sent.count, "the flat consumer read \(flatByID.count) completed results of \(sent.count)")
        let disagreeing = flatByID.values.filter { flat in
            guard let output = byID[flat.job_id]?.output?.classification else { return true }
            return output.label != flat.label || output.confidence != flat.confidence
        }
        #expect(disagreeing.isEmpty, "top-level label/confidence differ from output for \(disagreeing.prefix(5).map(\.job_id))")
    }
}
