import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import KinferTestSupport
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

    @Test("200 plain-shape jobs produced by confluent-kafka are processed like Swift-produced ones")
    func confluentKafkaPlainShape() async throws {
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.venv/bin/python").standardized.path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with confluent-kafka at \(python): run scripts/test, which installs it")
            return
        }
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
            let expected = try model.predict(ModelInput(features: testSet.features[index])).label
            #expect(result.status == .completed)
            #expect(result.output?.label == expected)
            #expect(JobTimestamp.format(result.submittedAt) == "2026-11-29T01:46:51.123Z")
        }
    }
}
