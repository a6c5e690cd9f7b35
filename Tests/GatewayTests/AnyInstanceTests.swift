import Foundation
import Gateway
import InferenceJobs
import InferenceModels
import KinferTestSupport
import ResultsSink
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Any gateway instance, any producer")
struct AnyInstanceTests {
    /// Produces plain-shape digit jobs straight onto the jobs topic, as a Python service does, stamped with time.time().
    static let producer = """
        import json, sys, time
        from confluent_kafka import Producer
        bootstrap, topic = sys.argv[1], sys.argv[2]
        spec = json.loads(sys.stdin.read())
        p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "socket.nagle.disable": True})
        for job_id, features in zip(spec["ids"], spec["features"]):
            p.produce(topic, key=job_id, value=json.dumps({"job_id": job_id, "features": features, "submitted_at": time.time()}))
            p.poll(0)
        assert p.flush(30) == 0
        """

    @Test("Jobs produced by confluent-kafka and jobs accepted by one instance read pending, then completed, through both instances")
    func pendingThenCompletedThroughEitherInstance() async throws {
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.venv/bin/python").standardized.path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Python with confluent-kafka at \(python): run scripts/test")
        let testSet = try DigitsTestSet()
        let model = try DigitsClassifier()

        try await withGateway { first in
            try await first.withSecondInstance { second in
                // 50 jobs from Python, none through a gateway; 20 accepted by the first instance.
                let direct = (0..<50).map { "py-direct-\($0)" }
                let spec: [String: Any] = ["ids": direct, "features": direct.indices.map { testSet.features[$0].map(Int.init) }]
                try await ChildProcess.run(
                    python, ["-c", Self.producer, first.cluster.bootstrapServers, first.topics.jobs],
                    input: try JSONSerialization.data(withJSONObject: spec), timeout: .seconds(60)
                ).requireSuccess()
                var accepted: [String: Int] = [:]
                for index in 50..<70 {
                    let features = testSet.features[index].map { "\(Int($0))" }.joined(separator: ",")
                    let reply = try await first.submit(#"{"features": [\#(features)]}"#)
                    try #require(reply.status == 202, "\(reply.text)")
                    accepted[try #require(reply.object?["job_id"] as? String)] = index
                }
                let expected = Dictionary(uniqueKeysWithValues: direct.enumerated().map { ($1, $0) }).merging(accepted) { $1 }

                // No worker yet. With the sink's pending-job recorder running, every job reads pending everywhere.
                try await first.withPendingJobRecorder { _ in
                    try await waitUntil("every job pending through both instances", timeout: .seconds(30)) {
                        for jobID in expected.keys {
                            for instance in [first.baseURL, second] {
                                let reply = try await first.send(.GET, "/v1/jobs/\(jobID)", baseURL: instance)
                                guard reply.status == 200, reply.object?["status"] as? String == "pending" else { return false }
                            }
                        }
                        return true
                    }
                    try await first.withWorkerAndSink {
                        try await waitUntil("\(expected.count) results in the store", timeout: .seconds(40)) {
                            try await first.store.count() >= expected.count
                        }
                    }
                }
                for (jobID, index) in expected.sorted(by: { $0.key < $1.key }) {
                    let label = try model.predict(ModelInput(features: testSet.features[index])).classification?.label
                    for instance in [first.baseURL, second] {
                        let reply = try await first.send(.GET, "/v1/jobs/\(jobID)", baseURL: instance)
                        #expect(reply.status == 200, "\(jobID) at \(instance): \(reply.text)")
                        #expect(reply.object?["status"] as? String == "completed", "\(jobID) at \(instance)")
                        #expect(reply.object?["label"] as? String == label, "\(jobID) at \(instance): \(reply.text)")
                    }
                }
            }
        }
    }
}

extension GatewayHarness {
    /// Runs `body` with a second gateway instance on the same cluster, topics and store, passing its base URL.
    func withSecondInstance<Result: Sendable>(
        configure: (inout GatewayConfiguration.Options) -> Void = { _ in },
        _ body: (String) async throws -> Result
    ) async throws -> Result {
        var options = GatewayConfiguration.Options()
        options.host = "127.0.0.1"
        options.port = 0
        options.topics = self.topics
        configure(&options)
        let configuration = GatewayConfiguration(
            kafka: self.cluster.producerConfiguration(), authentication: .apiKeys(testKeys),
            models: ModelRules(inputWidths: ["digits": 64], defaultModel: "digits"), options: options
        )
        let boundPort = Mutex<Int?>(nil)
        let gateway = Gateway(configuration: configuration, store: self.store, logger: quietLogger) { port in
            boundPort.withLock { $0 = port }
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: gateway)], logger: quietLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await waitUntil("the second gateway listens", timeout: .seconds(20)) { boundPort.withLock { $0 } != nil }
                let result = try await body("http://127.0.0.1:\(boundPort.withLock { $0 }!)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Runs `body` while the sink's pending-job recorder reads the jobs topic into the gateway's store, as `group`.
    func withPendingJobRecorder<Result: Sendable>(
        group: String = uniqueName("pending"), _ body: (PendingJobRecorder) async throws -> Result
    ) async throws -> Result {
        let recorder = try PendingJobRecorder(
            consumerConfiguration: self.cluster.consumerConfiguration(group: group),
            store: self.store, jobsTopic: self.topics.jobs, logger: quietLogger
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await recorder.run() }
            defer { tasks.cancelAll() }
            let result = try await body(recorder)
            tasks.cancelAll()
            try await tasks.waitForAll()
            return result
        }
    }
}
