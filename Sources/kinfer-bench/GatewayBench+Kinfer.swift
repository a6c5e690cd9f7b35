import EmbeddedKafka
import Foundation
import Gateway
import InferenceJobs
import InferenceModels
import InferenceWorker
import Kafka
import KinferTestSupport
import ResultStore
import ResultsSink
import ServiceLifecycle
import Synchronization

/// kinfer's side of the gateway case: the library's `Gateway` service, wired as `kinfer gateway --no-auth` wires it
/// (the open API on 127.0.0.1, a SQLite results store, the store ahead of the gateway in one `ServiceGroup`), on
/// the bench's embedded cluster, on port 0. For `/v1/predict`, an `InferenceWorker` with the simulated model (no
/// work, no latency) and the `ResultsSink` into the same store run beside it, as `kinfer demo` runs them.
extension GatewayBench {
    /// Runs `body` with the port of a fresh gateway (fresh topics and SQLite file, so no run inherits another's
    /// backlog or rows), then shuts everything down, in reverse order, even when `body` throws.
    ///
    /// - Parameter withWorker: Also run a worker and the sink (for `/v1/predict`); the gateway then reads their
    ///   group's lag for its estimate, as `kinfer gateway` does with `kinfer-workers`.
    func withKinferGateway<Result: Sendable>(
        cluster: EmbeddedKafkaCluster, name: String, withWorker: Bool, scratch: URL, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let prefix = "bench-gw-\(name)-\(runID)-\(UUID().uuidString.prefix(6).lowercased())"
        let topics = JobTopics(
            jobs: "\(prefix).jobs", results: "\(prefix).results", retry: "\(prefix).retry", deadLetter: "\(prefix).dlq",
            resultsDeadLetter: "\(prefix).results.dlq", callbacksRetry: "\(prefix).cb.retry", callbacksDeadLetter: "\(prefix).cb.dlq"
        )
        // Replicated three times, as `kinfer demo` makes them.
        for topic in topics.all { try cluster.createTopic(topic, partitions: partitions, replicationFactor: 3) }
        let directory = scratch.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try makeJobAdmissionStore(url: "sqlite://\(directory.path)/results.db", logger: benchLogger)

        let workersGroup = "\(prefix)-workers"
        var options = GatewayConfiguration.Options()
        options.host = "127.0.0.1"
        options.port = 0
        options.topics = topics
        options.workersGroup = withWorker ? workersGroup : nil
        var kafka = cluster.producerConfiguration()
        // The gateway's own default unless --linger-ms says otherwise, not the embedded cluster's client setting.
        kafka.linger = lingerMs.map { .milliseconds($0) }
        // As `kinfer demo` sets it: a waiting fetch on the mock is not woken by new data, so the results follower's
        // fetch wait (librdkafka's default 500 ms) would be what every predict call waits on.
        kafka.properties["fetch.wait.max.ms"] = "10"
        let configuration = GatewayConfiguration(kafka: kafka, authentication: .open, models: try Self.modelRules(), options: options)
        let bound = Mutex<Int?>(nil)
        let gateway = Gateway(configuration: configuration, store: store, logger: benchLogger) { port in
            bound.withLock { $0 = port }
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: store)]
        let worker: InferenceWorker?
        if withWorker {
            var workerConfiguration = WorkerConfiguration(workerName: "bench-gateway-worker")
            workerConfiguration.topics = topics
            let inferenceWorker = try InferenceWorker(
                consumerConfiguration: cluster.consumerConfiguration(group: workersGroup, sessionTimeout: .seconds(6)),
                producerConfiguration: cluster.producerConfiguration(),
                configuration: workerConfiguration,
                models: ModelCatalog([SimulatedModel()]),
                logger: benchLogger
            )
            var sinkConfiguration = SinkConfiguration()
            sinkConfiguration.resultsTopic = topics.results
            sinkConfiguration.deadLetterTopic = topics.resultsDeadLetter
            sinkConfiguration.retention = nil
            let sink = try ResultsSink(
                consumerConfiguration: cluster.consumerConfiguration(group: "\(prefix)-sink", sessionTimeout: .seconds(6)),
                producerConfiguration: cluster.producerConfiguration(), store: store, configuration: sinkConfiguration,
                logger: benchLogger
            )
            services += [.init(service: sink), .init(service: inferenceWorker)]
            worker = inferenceWorker
        } else {
            worker = nil
        }
        // Last, so that it stops first: nothing is accepted while the worker and the store go away.
        services.append(.init(service: gateway))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: benchLogger))

        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await waitUntil("kinfer's gateway to listen", timeout: .seconds(30)) { bound.withLock { $0 } != nil }
                if let worker {
                    try await waitUntil("the worker to be assigned its partitions", timeout: .seconds(30)) { !worker.assignment.isEmpty }
                }
                let result = try await body(bound.withLock { $0 }!)
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

    /// What `kinfer gateway` serves by default: `digits` (its width from the model) and `simulated` (any width).
    static func modelRules() throws -> ModelRules {
        ModelRules(inputWidths: ["digits": try DigitsClassifier().inputLength, "simulated": nil], defaultModel: "digits")
    }
}
