import AsyncHTTPClient
import EmbeddedKafka
import Foundation
import Gateway
import InferenceJobs
import Kafka
import KinferTestSupport
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ResultStore
import ResultsSink
import ServiceLifecycle
import Synchronization

let quietLogger = Logger(label: "kinfer.tests.gateway") { _ in SwiftLogNoOpLogHandler() }

/// The API key every harness accepts, and the hash it is configured by.
let testAPIKey = "kinfer-test-key-0123456789"
/// `printf %s kinfer-test-key-0123456789 | sha256sum`, computed outside the gateway's code so that the test of
/// the hashing is not circular.
let testAPIKeyHash = "18f930cce92926f56dbfc270669a8f9b4350448ac841b2a3fcf3213ba6b23b5a"
let testKeys = try! APIKeys(hexHashes: [testAPIKeyHash])

/// A gateway on a loopback port in front of an embedded cluster and a SQLite store of its own, for one test.
struct GatewayHarness: Sendable {
    let cluster: EmbeddedKafkaCluster
    let topics: JobTopics
    let store: any JobAdmissionStore
    let databaseURL: String
    let port: Int
    /// Begins the gateway's graceful shutdown (as SIGTERM does) while the test goes on.
    let beginShutdown: @Sendable () async -> Void

    var baseURL: String { "http://127.0.0.1:\(self.port)" }

    /// Sends one request to the gateway (or to another instance at `baseURL`) and reads the whole answer.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        headers: [(String, String)] = [("Authorization", "Bearer \(testAPIKey)")],
        body: [UInt8]? = nil,
        baseURL: String? = nil
    ) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: (baseURL ?? self.baseURL) + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return HTTPReply(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    /// `POST /v1/jobs` with a JSON body, the test key, and `extraHeaders`.
    func submit(_ json: String, extraHeaders: [(String, String)] = []) async throws -> HTTPReply {
        try await self.send(
            .POST, "/v1/jobs",
            headers: [("Authorization", "Bearer \(testAPIKey)"), ("Content-Type", "application/json")] + extraHeaders,
            body: Array(json.utf8)
        )
    }

    /// Every message on the jobs topic of a one-partition harness, read up to and including the one keyed
    /// `sentinel`.
    func jobMessages(through sentinel: String) async throws -> [KafkaConsumerMessage] {
        let consumer = try KafkaConsumer(configuration: self.cluster.consumerConfiguration(group: uniqueName("reader")))
        try consumer.subscribe(topics: [self.topics.jobs])
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        for try await batch in consumer.batches() {
            messages += batch
            if messages.contains(where: { $0.keyString == sentinel }) || ContinuousClock.now > deadline { break }
        }
        await consumer.close()
        return messages
    }
}

/// One answer, whole.
struct HTTPReply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    /// The body as a JSON object, or `nil`.
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any]
    }

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The `field` members of a problem body's `errors`.
    var problemFields: [String] {
        ((self.object?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }
}

/// Runs `body` with a gateway started on a free loopback port, a fresh cluster and store, and stops them after.
///
/// - Parameters:
///   - partitions: Of the jobs topic; `1` keeps the topic in produce order (for counting what a test enqueued).
///   - authentication: Defaults to the test key.
///   - postgres: Keep the store in a temporary PostgreSQL server instead of a SQLite file.
///   - configure: Changes the gateway's options before it starts.
func withGateway<Result: Sendable>(
    partitions: Int = 4,
    postgres: Bool = false,
    authentication: GatewayConfiguration.Authentication = .apiKeys(testKeys),
    models: ModelRules = ModelRules(inputWidths: ["digits": 64, "simulated": nil], defaultModel: "digits"),
    bootstrapServers: [String]? = nil,
    metricsFactory: (any MetricsFactory)? = nil,
    configure: (inout GatewayConfiguration.Options) -> Void = { _ in },
    _ body: (GatewayHarness) async throws -> Result
) async throws -> Result {
    let cluster = try EmbeddedKafkaCluster(brokers: 1)
    let prefix = uniqueName("gw")
    let topics = JobTopics(
        jobs: "\(prefix).jobs", results: "\(prefix).results", stream: "\(prefix).stream", retry: "\(prefix).retry", deadLetter: "\(prefix).dlq"
    )
    try cluster.createTopic(topics.jobs, partitions: partitions)
    try cluster.createTopic(topics.results, partitions: partitions)
    try cluster.createTopic(topics.stream, partitions: partitions)
    try cluster.createTopic(topics.retry, partitions: 1)
    try cluster.createTopic(topics.deadLetter, partitions: 1)

    if postgres {
        return try await withTemporaryPostgres { server in
            try await withGateway(
                cluster: cluster, topics: topics, databaseURL: server.url, authentication: authentication, models: models,
                bootstrapServers: bootstrapServers, metricsFactory: metricsFactory, configure: configure, body
            )
        }
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-gateway-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await withGateway(
        cluster: cluster, topics: topics, databaseURL: "sqlite://\(directory.path)/results.db", authentication: authentication,
        models: models, bootstrapServers: bootstrapServers, metricsFactory: metricsFactory, configure: configure, body
    )
}

/// ``withGateway(partitions:postgres:authentication:models:bootstrapServers:metricsFactory:configure:_:)`` on a
/// cluster with its topics made and a database URL chosen.
private func withGateway<Result: Sendable>(
    cluster: EmbeddedKafkaCluster,
    topics: JobTopics,
    databaseURL: String,
    authentication: GatewayConfiguration.Authentication,
    models: ModelRules,
    bootstrapServers: [String]?,
    metricsFactory: (any MetricsFactory)?,
    configure: (inout GatewayConfiguration.Options) -> Void,
    _ body: (GatewayHarness) async throws -> Result
) async throws -> Result {
    let store = try makeJobAdmissionStore(url: databaseURL, logger: quietLogger)

    var kafka = cluster.producerConfiguration()
    if let bootstrapServers { kafka.bootstrapServers = bootstrapServers }
    var options = GatewayConfiguration.Options()
    options.host = "127.0.0.1"
    options.port = 0
    options.topics = topics
    configure(&options)
    let configuration = GatewayConfiguration(kafka: kafka, authentication: authentication, models: models, options: options)
    let boundPort = Mutex<Int?>(nil)
    let gateway = Gateway(
        configuration: configuration, store: store, metricsFactory: metricsFactory ?? NOOPMetricsHandler.instance, logger: quietLogger
    ) { port in
        boundPort.withLock { $0 = port }
    }

    return try await withRunningResultStore(store) { _ in
        try await store.migrate()
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: gateway)], logger: quietLogger)
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await waitUntil("the gateway listens", timeout: .seconds(20)) { boundPort.withLock { $0 } != nil }
                let harness = GatewayHarness(
                    cluster: cluster, topics: topics, store: store, databaseURL: databaseURL,
                    port: boundPort.withLock { $0 }!,
                    beginShutdown: { await group.triggerGracefulShutdown() }
                )
                let result = try await body(harness)
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
}
