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
    /// Runs `body` with the port of a fresh gateway (see ``withBenchGateway``), with a worker running the simulated
    /// model and the sink when `withWorker` (for `/v1/predict`).
    func withKinferGateway<Result: Sendable>(
        cluster: EmbeddedKafkaCluster, name: String, withWorker: Bool, scratch: URL, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        try await withBenchGateway(
            cluster: cluster, name: "gw-\(name)", partitions: partitions, linger: lingerMs.map { .milliseconds($0) },
            rules: try Self.modelRules(), workers: withWorker ? BenchWorkers(models: ModelCatalog([SimulatedModel()]), count: 1) : nil,
            recordAccepted: recordAccepted, scratch: scratch, body
        )
    }

    /// What `kinfer gateway` serves by default: `digits` (its width from the model) and `simulated` (any width).
    static func modelRules() throws -> ModelRules {
        ModelRules(inputWidths: ["digits": try DigitsClassifier().inputLength, "simulated": nil], defaultModel: "digits")
    }
}

/// The workers beside a bench's gateway: `count` of them, in one group, each serving `models`.
struct BenchWorkers {
    var models: ModelCatalog
    var count: Int
}

/// Runs `body` with the port of a fresh gateway (fresh topics and SQLite file, so no run inherits another's backlog
/// or rows), then shuts everything down, in reverse order, even when `body` throws.
///
/// The library's `Gateway` service, wired as `kinfer gateway --no-auth` wires it (the open API on 127.0.0.1, a SQLite
/// results store, the store ahead of the gateway in one `ServiceGroup`), on the bench's embedded cluster, on port 0.
/// With `workers`, `InferenceWorker`s and the `ResultsSink` into the same store run beside it, as `kinfer demo` runs
/// them, and the gateway reads their group's lag for its estimate, as `kinfer gateway` does with `kinfer-workers`.
/// The sink's `PendingJobRecorder` always runs beside it, as `kinfer sink` runs it by default, and the gateway leaves
/// the pending rows to it unless `recordAccepted` (`kinfer gateway --record-accepted`).
func withBenchGateway<Result: Sendable>(
    cluster: EmbeddedKafkaCluster, name: String, partitions: Int, linger: Duration?, rules: ModelRules, workers: BenchWorkers?,
    recordAccepted: Bool = false, scratch: URL, _ body: (Int) async throws -> Result
) async throws -> Result {
    let prefix = "bench-\(name)-\(runID)-\(UUID().uuidString.prefix(6).lowercased())"
    let topics = JobTopics(
        jobs: "\(prefix).jobs", results: "\(prefix).results", stream: "\(prefix).stream", retry: "\(prefix).retry",
        deadLetter: "\(prefix).dlq", resultsDeadLetter: "\(prefix).results.dlq", callbacksRetry: "\(prefix).cb.retry",
        callbacksDeadLetter: "\(prefix).cb.dlq"
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
    options.workersGroup = workers == nil ? nil : workersGroup
    let recorderGroup = "\(prefix)-sink-pending"
    options.pendingRecorderGroup = recordAccepted ? nil : recorderGroup
    var kafka = cluster.producerConfiguration()
    // The gateway's own default unless the bench says otherwise, not the embedded cluster's client setting.
    kafka.linger = linger
    // As `kinfer demo` sets it: a waiting fetch on the mock is not woken by new data, so the results follower's
    // fetch wait (librdkafka's default 500 ms) would be what every predict call waits on.
    kafka.properties["fetch.wait.max.ms"] = "10"
    let configuration = GatewayConfiguration(kafka: kafka, authentication: .open, models: rules, options: options)
    let bound = Mutex<Int?>(nil)
    let gateway = Gateway(configuration: configuration, store: store, logger: benchLogger) { port in
        bound.withLock { $0 = port }
    }

    // With librdkafka's fetch wait (500 ms), as `kinfer sink` runs it, not the embedded cluster's 10 ms: the mock
    // broker finds a fetch's offset by walking the partition's message sets from the first (it keeps no offset
    // index, unlike a real broker), so fetching every 10 ms from a growing topic makes the broker, not the recorder,
    // the largest cost in the process.
    var recorderConsumer = cluster.consumerConfiguration(group: recorderGroup, sessionTimeout: .seconds(6))
    recorderConsumer.properties.removeValue(forKey: "fetch.wait.max.ms")
    let pendingJobs = try PendingJobRecorder(
        consumerConfiguration: recorderConsumer, store: store, jobsTopic: topics.jobs, logger: benchLogger
    )
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: store), .init(service: pendingJobs)]
    var running: [InferenceWorker] = []
    if let workers {
        var sinkConfiguration = SinkConfiguration()
        sinkConfiguration.resultsTopic = topics.results
        sinkConfiguration.deadLetterTopic = topics.resultsDeadLetter
        sinkConfiguration.retention = nil
        let sink = try ResultsSink(
            consumerConfiguration: cluster.consumerConfiguration(group: "\(prefix)-sink", sessionTimeout: .seconds(6)),
            producerConfiguration: cluster.producerConfiguration(), store: store, configuration: sinkConfiguration,
            logger: benchLogger
        )
        services.append(.init(service: sink))
        for index in 0..<workers.count {
            var workerConfiguration = WorkerConfiguration(workerName: "bench-worker-\(index + 1)")
            workerConfiguration.topics = topics
            let worker = try InferenceWorker(
                consumerConfiguration: cluster.consumerConfiguration(group: workersGroup, sessionTimeout: .seconds(6)), producerConfiguration: cluster.producerConfiguration(),
                configuration: workerConfiguration, models: workers.models, logger: benchLogger
            )
            services.append(.init(service: worker))
            running.append(worker)
        }
    }
    // Last, so that it stops first: nothing is accepted while the workers and the store go away.
    services.append(.init(service: gateway))
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: benchLogger))

    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await waitUntil("kinfer's gateway to listen", timeout: .seconds(30)) { bound.withLock { $0 } != nil }
            try await waitUntil("every worker and the pending-job recorder to be assigned partitions", timeout: .seconds(30)) {
                running.allSatisfy { !$0.assignment.isEmpty } && pendingJobs.hasJoinedGroup
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
