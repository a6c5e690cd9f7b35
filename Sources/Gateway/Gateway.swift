import Foundation
import Hummingbird
import InferenceJobs
import JobClient
import Kafka
import Logging
import Metrics
import ResultStore
import ServiceLifecycle

/// The HTTP gateway: `POST /v1/jobs` onto the jobs topic, `GET /v1/jobs/{id}` from the results store,
/// `POST /v1/predict` and `GET /v1/jobs/{id}/events` through a follower of the results topic, and
/// `GET /openapi.json`. Stateless: any number of instances may share the brokers and the store.
///
/// A `Service`: put the store ahead of it in the `ServiceGroup`, so that shutdown, which runs in reverse order,
/// stops the gateway (and flushes its producer) before the store closes.
public struct Gateway: Service {
    private let configuration: GatewayConfiguration
    private let store: any JobAdmissionStore
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - store: A store whose `run()` is running; the gateway migrates it before it listens, keeps admissions in
    ///     it and reads results from it.
    ///   - metricsFactory: Where requests and accepted jobs are counted. Defaults to the process's.
    ///   - onListening: Called with the bound API port once the server accepts connections.
    public init(
        configuration: GatewayConfiguration,
        store: any JobAdmissionStore,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.gateway"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.onListening = onListening
    }

    /// Migrates the store, then serves until graceful shutdown or cancellation, then closes the producer.
    public func run() async throws {
        try await self.store.migrate()
        let options = self.configuration.options
        let jobsTopic: JobsTopicWatch? =
            options.workersGroup == nil && options.pendingRecorderGroup == nil
            ? nil
            : try JobsTopicWatch(
                kafka: self.configuration.kafka, topic: options.topics.jobs, workersGroup: options.workersGroup,
                recorderGroup: options.pendingRecorderGroup, interval: options.lagInterval, logger: self.logger
            )
        let producer = try JobProducer(configuration: Self.producerConfiguration(self.configuration), topics: self.configuration.options.topics)
        let waiters = ResultWaiters()
        let streams = StreamRegistry(limits: StreamCache.Limits(
            maxBytes: options.streamCacheBytes, maxStreams: options.streamCacheStreams,
            finishedRetention: options.finishedStreamRetention
        ))
        let follower = FollowerHolder()
        let streamFollower = FollowerHolder()
        let kafka = self.configuration.kafka
        let resultsTopic = self.configuration.options.topics.results
        let streamTopic = self.configuration.options.topics.stream
        let startTimeout = self.configuration.options.produceTimeout
        let logger = self.logger
        let completions = CompletionRate()
        let metrics = GatewayMetrics(factory: self.metricsFactory)
        /// Positions a follower and records it; `false` when the brokers did not answer.
        @Sendable func startFollower(attempt: Int) async -> Bool {
            do {
                let started = try await ResultsFollower.start(
                    kafka: kafka, topic: resultsTopic, waiters: waiters, streams: streams, timeout: startTimeout, logger: logger,
                    onRecords: { completions.record($0) }
                )
                follower.set(started)
                waiters.setFollowing(true)
                return true
            } catch {
                logger.warning("cannot follow the results topic yet", metadata: ["topic": "\(resultsTopic)", "error": "\(error)"])
                return false
            }
        }
        /// Positions a follower of the stream topic. Tokens are a bonus on top of the result: without this follower
        /// the routes still answer, with the whole text at once when the result arrives. A cluster without the topic
        /// (made before it existed) is told of at the first attempt and then once a minute, not every second.
        @Sendable func startStreamFollower(attempt: Int) async -> Bool {
            do {
                streamFollower.set(try await StreamFollower.start(
                    kafka: kafka, topic: streamTopic, streams: streams, waiters: waiters, timeout: startTimeout, logger: logger,
                    onBatch: {
                        let usage = streams.usage
                        metrics.streamCacheBytes.set(usage.bytes)
                        metrics.streamCacheStreams.set(usage.streams)
                    }
                ))
                return true
            } catch {
                if attempt % 60 == 0 {
                    logger.warning("cannot follow the stream topic yet", metadata: ["topic": "\(streamTopic)", "error": "\(error)"])
                }
                return false
            }
        }
        // Positioned before the server listens, when the brokers answer within the produce timeout: every result
        // written after that is read. Otherwise the gateway listens anyway (submit and poll need no follower) and
        // keeps trying; /v1/predict and /events answer 503 meanwhile.
        async let resultsPositioned = startFollower(attempt: 0)
        async let streamPositioned = startStreamFollower(attempt: 0)
        let startedBeforeListening = await resultsPositioned
        let streamStartedBeforeListening = await streamPositioned
        let responder = GatewayResponder(
            configuration: self.configuration,
            store: self.store,
            producer: producer,
            waiters: waiters,
            streams: streams,
            jobsTopic: jobsTopic,
            completions: completions,
            openAPIDocument: try Self.openAPIDocument(),
            logger: self.logger,
            metrics: metrics
        )
        let onListening = self.onListening
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "kinfer-gateway"
            ),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: Logger(label: self.logger.label) { [logger = self.logger] _ in DeferredMetadataLogHandler(wrapping: logger) }
        )
        await jobsTopic?.refresh()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if let jobsTopic { tasks.addTask { await jobsTopic.run() } }
            let gracePeriod = options.gracePeriod
            tasks.addTask {
                // Predict calls still waiting a grace period after shutdown began answer 504 with their job's
                // Location, so that the server's quiescing ends in time.
                guard (try? await gracefulShutdown()) != nil, (try? await Task.sleep(for: gracePeriod)) != nil else { return }
                waiters.close(.predict)
            }
            tasks.addTask {
                await Self.keepFollowing(follower, startedBeforeListening: startedBeforeListening, start: startFollower) { error in
                    logger.error("the results follower failed; starting another", metadata: ["error": "\(error)"])
                    waiters.setFollowing(false)
                }
            }
            tasks.addTask {
                await Self.keepFollowing(streamFollower, startedBeforeListening: streamStartedBeforeListening, start: startStreamFollower) { error in
                    logger.error("the stream follower failed; starting another", metadata: ["error": "\(error)"])
                }
            }
            do {
                // On graceful shutdown the streams end at once (their clients reconnect with Last-Event-ID, to
                // another instance) and no new ones open; predict calls have the grace period (above).
                try await withGracefulShutdownHandler {
                    try await application.run()
                } onGracefulShutdown: {
                    waiters.close(.stream)
                }
            } catch {
                tasks.cancelAll()
                await follower.current?.close()
                await streamFollower.current?.close()
                await producer.close()
                throw error
            }
            tasks.cancelAll()
            await follower.current?.close()
            await streamFollower.current?.close()
            // Everything the broker has not acknowledged yet was never answered 202; close delivers or fails it.
            await producer.close()
            try await tasks.waitForAll()
        }
    }

    /// Runs the follower in `holder` until it is closed; one that fails is closed and replaced (trying every second
    /// until one is positioned), as is a follower that was not positioned at start.
    private static func keepFollowing(
        _ holder: FollowerHolder, startedBeforeListening: Bool, start: @Sendable (_ attempt: Int) async -> Bool,
        onFailure: @Sendable (any Error) -> Void
    ) async {
        var started = startedBeforeListening
        var attempt = started ? 0 : 1
        while !Task.isCancelled {
            if !started {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                started = await start(attempt)
                attempt = started ? 0 : attempt + 1
                continue
            }
            do {
                try await holder.current?.run()
                return  // closed: the gateway is stopping
            } catch {
                onFailure(error)
                await holder.current?.close()
                started = false
            }
        }
    }

    /// The durable producer's settings: `acks=all` and idempotence (unless the configuration sets them), and
    /// `message.timeout.ms` at the produce timeout, so that a job the broker does not take in time fails its request
    /// (`503`) instead of hanging it. `linger.ms` stays librdkafka's 5 ms unless set: a lone submit waits up to that
    /// long for its `202`, and under load the jobs of each partition share produce requests instead of sending one
    /// each, which is what bounds the accepted rate (`docs/benchmarks.md`, issue #17).
    static func producerConfiguration(_ configuration: GatewayConfiguration) -> KafkaConfiguration {
        var kafka = configuration.kafka
        kafka.acks = kafka.acks ?? .all
        kafka.idempotence = kafka.idempotence ?? true
        let milliseconds = configuration.options.produceTimeout.milliseconds
        if kafka.properties["message.timeout.ms"] == nil { kafka.properties["message.timeout.ms"] = "\(max(1, milliseconds))" }
        return kafka
    }

    /// The OpenAPI 3.1 document served at `/openapi.json`, as bundled in this module.
    public static func openAPIDocument() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(try Data(contentsOf: url))
    }
}
