import EmbeddedKafka
import Foundation
import InferenceJobs
import InferenceModels
import InferenceWorker
import JobClient
import Kafka
import KinferTestSupport
import Metrics

/// An embedded cluster with the pipeline's topics (unique names per test), and helpers to run workers,
/// submit jobs and read what comes out.
struct Pipeline {
    let cluster: EmbeddedKafkaCluster
    let topics: JobTopics

    init(brokers: Int = 3, partitions: Int = 8) throws {
        cluster = try EmbeddedKafkaCluster(brokers: brokers)
        let prefix = uniqueName("t")
        topics = JobTopics(jobs: "\(prefix).jobs", results: "\(prefix).results", stream: "\(prefix).stream", retry: "\(prefix).retry", deadLetter: "\(prefix).dlq")
        try cluster.createTopic(topics.jobs, partitions: partitions, replicationFactor: min(brokers, 3))
        try cluster.createTopic(topics.results, partitions: partitions, replicationFactor: min(brokers, 3))
        try cluster.createTopic(topics.stream, partitions: partitions, replicationFactor: min(brokers, 3))
        try cluster.createTopic(topics.retry, partitions: 4, replicationFactor: min(brokers, 3))
        try cluster.createTopic(topics.deadLetter, partitions: 2, replicationFactor: min(brokers, 3))
    }

    func workerConfiguration(name: String = "worker-1") -> WorkerConfiguration {
        var configuration = WorkerConfiguration(workerName: name)
        configuration.topics = topics
        configuration.retryBaseDelay = .milliseconds(50)
        configuration.retryMaxDelay = .milliseconds(400)
        configuration.commitInterval = .milliseconds(100)
        configuration.gracePeriod = .seconds(10)
        return configuration
    }

    /// Starts a worker in the `kinfer-workers`-like group `group`; stop it with `stop`.
    func startWorker(
        _ configuration: WorkerConfiguration,
        models: ModelCatalog,
        group: String = "workers",
        sessionTimeout: Duration = .seconds(6),  // the mock rebalances in session.timeout.ms - 1 s
        heartbeatInterval: Duration? = nil,
        producerProperties: [String: String] = [:],
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws -> RunningWorker {
        var consumer = cluster.consumerConfiguration(group: group, sessionTimeout: sessionTimeout)
        consumer.properties["heartbeat.interval.ms"] = heartbeatInterval.map { String(Int($0 / .milliseconds(1))) }
        var producer = cluster.producerConfiguration()
        producer.properties.merge(producerProperties) { $1 }
        let worker = try InferenceWorker(
            consumerConfiguration: consumer,
            producerConfiguration: producer,
            configuration: configuration,
            models: models,
            metricsFactory: metricsFactory
        )
        return RunningWorker(worker: worker, task: Task { try await worker.run() })
    }

    func submit(_ jobs: [InferenceJob]) async throws -> [JobReceipt] {
        let producer = try JobProducer(configuration: cluster.producerConfiguration(), topics: topics)
        let receipts = try await producer.submit(jobs)
        await producer.close()
        return receipts
    }

    /// Produces raw messages to the jobs topic (for malformed input).
    func produceRaw(_ messages: [(key: [UInt8]?, value: [UInt8]?)]) async throws {
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        for message in messages {
            _ = try await producer.send(KafkaProducerMessage(topic: topics.jobs, key: message.key, value: message.value))
        }
        await producer.close()
    }

    /// Reads results until `done` holds for the results read so far.
    func readResults(timeout: Duration = .seconds(120), until done: ([JobResult]) -> Bool) async throws -> [JobResult] {
        try await read(topic: topics.results, timeout: timeout) { messages in
            let results = messages.compactMap { try? JobCodec.decodeResult($0.value) }
            return done(results) ? results : nil
        }
    }

    /// Reads the stream topic until `done` holds for the chunks read so far.
    func readStream(timeout: Duration = .seconds(120), until done: ([StreamChunk]) -> Bool) async throws -> [StreamChunk] {
        try await read(topic: topics.stream, timeout: timeout) { messages in
            let chunks = messages.compactMap { try? JobCodec.decodeStreamChunk($0.value) }
            return done(chunks) ? chunks : nil
        }
    }

    /// Reads the dead-letter topic until `count` messages are there.
    func readDeadLetters(count: Int, timeout: Duration = .seconds(60)) async throws -> [KafkaConsumerMessage] {
        try await read(topic: topics.deadLetter, timeout: timeout) { $0.count >= count ? $0 : nil }
    }

    /// Reads the results topic until `count` messages are there, headers and all.
    func readResultMessages(count: Int, timeout: Duration = .seconds(60)) async throws -> [KafkaConsumerMessage] {
        try await read(topic: topics.results, timeout: timeout) { $0.count >= count ? $0 : nil }
    }

    private func read<T>(topic: String, timeout: Duration, until done: ([KafkaConsumerMessage]) -> T?) async throws -> T {
        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("reader")))
        try consumer.subscribe(topics: [topic])
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            await consumer.close()
        }
        defer { watchdog.cancel() }
        var messages: [KafkaConsumerMessage] = []
        for try await batch in consumer.batches() {
            messages += batch
            if let value = done(messages) {
                await consumer.close()
                return value
            }
        }
        throw DeadlineExceeded(description: "\(topic): condition not met within \(timeout) after \(messages.count) messages")
    }
}

struct RunningWorker {
    let worker: InferenceWorker
    let task: Task<Void, any Error>

    func stop() async throws {
        worker.shutdown()
        try await task.value
    }
}

/// Jobs over the held-out digits set, cycled, with fresh job IDs.
func digitJobs(_ count: Int, testSet: DigitsTestSet) -> [InferenceJob] {
    let inputs = testSet.inputs
    return (0..<count).map { index in
        InferenceJob(jobID: JobID.make(), model: "digits", inputs: inputs[index % inputs.count], submittedAt: Date())
    }
}
