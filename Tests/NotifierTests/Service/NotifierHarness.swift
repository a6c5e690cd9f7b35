import CallbackSafety
import Crypto
import EmbeddedKafka
import Foundation
import InferenceJobs
import Kafka
import Logging
import Metrics
import KinferTestSupport
import Notifier

/// An embedded cluster with the notifier's three topics (named uniquely), results produced onto it, and notifiers
/// run against it; everything on loopback.
struct NotifierHarness {
    static let quietLogger: Logger = {
        var logger = Logger(label: "kinfer.notifier.test")
        logger.logLevel = .warning
        return logger
    }()

    static let secrets = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_" + Data((0..<32).map { UInt8($0 &* 7 &+ 3) }).base64EncodedString()

    let cluster: EmbeddedKafkaCluster
    let topics: JobTopics

    init(partitions: Int = 4) throws {
        self.cluster = try EmbeddedKafkaCluster(brokers: 1)
        let prefix = uniqueName("notify")
        self.topics = JobTopics(
            results: "\(prefix).results", callbacksRetry: "\(prefix).callbacks.retry", callbacksDeadLetter: "\(prefix).callbacks.dlq"
        )
        try self.cluster.createTopic(self.topics.results, partitions: partitions)
        try self.cluster.createTopic(self.topics.callbacksRetry, partitions: 2)
        try self.cluster.createTopic(self.topics.callbacksDeadLetter, partitions: 1)
    }

    /// A completed result for job `index`, calling back `url` (none when `nil`).
    static func result(_ index: Int, callbackURL: String?) -> JobResult {
        JobResult(
            jobID: "job-\(index)", status: .completed, output: ModelOutput(label: String(index % 10), confidence: 0.9, scores: [0.1, 0.9]),
            attempts: 1, model: "digits", modelVersion: "1", worker: "w", submittedAt: Date(), startedAt: Date(),
            completedAt: Date(), callbackURL: callbackURL
        )
    }

    /// Produces `results` onto the results topic, keyed by job ID, as the worker writes them; returns each value.
    @discardableResult
    func produce(_ results: [JobResult]) async throws -> [String: [UInt8]] {
        let producer = try KafkaProducer(configuration: self.cluster.producerConfiguration())
        var values: [String: [UInt8]] = [:]
        for result in results {
            let value = JobCodec.encode(result)
            values[result.jobID] = value
            try await producer.enqueue(KafkaProducerMessage(topic: self.topics.results, key: result.jobID, value: value)) { _ in }
        }
        try await producer.flush(timeout: .seconds(60))
        await producer.close()
        return values
    }

    /// A notifier admitting http to 127.0.0.1 on `ports`.
    func makeNotifier(
        ports: [Int], retryDelays: [Duration] = [.milliseconds(200)], maximumAge: Duration = .seconds(60),
        timeout: Duration = .seconds(5), maxPerHost: Int = 8, group: String = "notifier",
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws -> CallbackNotifier<SystemResolver> {
        let configuration = NotifierConfiguration(
            topics: self.topics,
            guardrail: CallbackGuard(allowHTTP: true, allowedPorts: Set(ports), allowedRanges: [try CIDR("127.0.0.1/32")]),
            retrySchedule: CallbackRetrySchedule(delays: retryDelays, maximumAge: maximumAge, jitter: 0),
            maxConcurrency: 64, maxPerHost: maxPerHost, commitInterval: .milliseconds(100), gracePeriod: .seconds(2)
        )
        var consumer = self.cluster.consumerConfiguration(group: group, sessionTimeout: .seconds(6))
        consumer.autoOffsetReset = .earliest
        return try CallbackNotifier(
            consumerConfiguration: consumer, producerConfiguration: self.cluster.producerConfiguration(),
            configuration: configuration, signer: WebhookSigner(secrets: try WebhookSecrets(environmentValue: Self.secrets)),
            client: CallbackClient(configuration: .init(version: "test", connectTimeout: timeout, timeout: timeout)),
            resolver: SystemResolver(), metricsFactory: metricsFactory, logger: Self.quietLogger
        )
    }

    /// Runs `notifier` while `body` runs, then cancels it and waits for it to end.
    func running<R>(_ notifier: CallbackNotifier<SystemResolver>, _ body: () async throws -> R) async throws -> R {
        try await whileRunning({ try await notifier.run() }, body)
    }

    /// The first `count` messages on the callbacks dead-letter topic (one partition), read without a group.
    func deadLetters(count: Int) async throws -> [KafkaConsumerMessage] {
        let reader = try KafkaPartitionReader(
            configuration: self.cluster.consumerConfiguration(group: "unused"),
            offsets: [KafkaTopicPartition(topic: self.topics.callbacksDeadLetter, partition: 0): 0]
        )
        var messages: [KafkaConsumerMessage] = []
        try await waitUntil("\(count) dead letters", timeout: .seconds(60)) {
            for try await batch in reader.batches() {
                messages += batch
                break
            }
            return messages.count >= count
        }
        await reader.close()
        return messages
    }

    /// Whether the group committed every results partition up to its end.
    func committedToTheEnd(group: String = "notifier") async throws -> Bool {
        let admin = try KafkaAdmin(configuration: self.cluster.adminConfiguration())
        let lag = try await admin.consumerLag(group: group, topics: [self.topics.results])
        return !lag.isEmpty && lag.allSatisfy { $0.committed != nil && $0.lag == 0 }
    }

    /// Whether `signature` (a `webhook-signature` value) has a valid `v1` signature under every configured secret.
    static func verifies(_ request: LocalReceiver.Request) -> Bool {
        guard let id = request.header("webhook-id"), let timestamp = request.header("webhook-timestamp"),
            let signature = request.header("webhook-signature")
        else { return false }
        let signatures = Set(signature.split(separator: " ").map(String.init))
        let content = Array("\(id).\(timestamp).".utf8) + request.body
        return Self.secrets.split(separator: " ").allSatisfy { secret in
            let key = SymmetricKey(data: Data(base64Encoded: String(secret.dropFirst(6)))!)
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
            return signatures.contains("v1," + Data(mac).base64EncodedString())
        }
    }
}
