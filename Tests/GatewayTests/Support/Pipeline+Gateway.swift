import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import Kafka
import KinferTestSupport
import ResultsSink

extension GatewayHarness {
    /// Runs `body` while a worker (serving `models`, by default the digits classifier, configured further by
    /// `configureWorker`) and the sink run behind the gateway, writing into the gateway's store.
    func withWorkerAndSink<Result: Sendable>(
        models: ModelCatalog? = nil, workersGroup: String? = nil, configureWorker: (inout WorkerConfiguration) -> Void = { _ in },
        _ body: () async throws -> Result
    ) async throws -> Result {
        var workerConfiguration = WorkerConfiguration(workerName: "gateway-test-worker")
        workerConfiguration.topics = self.topics
        workerConfiguration.commitInterval = .milliseconds(100)
        workerConfiguration.gracePeriod = .seconds(5)
        configureWorker(&workerConfiguration)
        let worker = try InferenceWorker(
            consumerConfiguration: self.cluster.consumerConfiguration(group: workersGroup ?? uniqueName("workers"), sessionTimeout: .seconds(6)),
            producerConfiguration: self.cluster.producerConfiguration(),
            configuration: workerConfiguration,
            models: try models ?? ModelCatalog([try DigitsClassifier()]),
            logger: quietLogger
        )
        var sinkConfiguration = SinkConfiguration()
        sinkConfiguration.resultsTopic = self.topics.results
        sinkConfiguration.deadLetterTopic = "\(self.topics.results).dlq"
        let sink = try ResultsSink(
            consumerConfiguration: self.cluster.consumerConfiguration(group: uniqueName("sink")),
            producerConfiguration: self.cluster.producerConfiguration(),
            store: self.store,
            configuration: sinkConfiguration,
            logger: quietLogger
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await worker.run() }
            tasks.addTask { try await sink.run() }
            defer {
                worker.shutdown()
                tasks.cancelAll()
            }
            let result = try await body()
            worker.shutdown()
            tasks.cancelAll()
            try await tasks.waitForAll()
            return result
        }
    }
}
