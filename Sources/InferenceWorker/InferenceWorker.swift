import ConsumerKit
import Foundation
import InferenceJobs
import InferenceModels
import Kafka
import Logging
import Metrics
import ServiceLifecycle

/// A member of the worker consumer group: jobs in, batched model calls, results out, at least once.
///
/// One task reads the consumer and routes jobs to a batch queue per model; batch loops run up to
/// `maxConcurrentBatches` model calls at once; outcomes are published without waiting, and a job
/// counts as finished only when the broker has acknowledged its result (or retry, or dead letter).
/// A timer commits, per partition, the offset below which every job is finished. The poll loop
/// never waits on a model, so a slow model never causes a rebalance.
///
/// Shutdown (``shutdown()``, SIGTERM through swift-service-lifecycle, or cancellation): stop taking
/// jobs, run waiting retries at once, let in-flight jobs finish within `gracePeriod`, commit, leave
/// the group, flush the producer.
public final class InferenceWorker: Service, ConsumerGroupMember, Sendable {
    public let counters = WorkerCounters()
    /// The consumer group this worker is a member of.
    public let groupID: String
    private let metrics: WorkerMetrics
    private let configuration: WorkerConfiguration
    private let models: ModelCatalog
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let inFlight: InFlightJobs
    private let publisher: OutcomePublisher
    /// The stream topic's writers; `nil` when no model of the catalog generates text.
    private let streams: StreamPublisher?
    private let queues: [String: BatchQueue]
    private let delayed: DelayedJobs
    private let listener: WorkerRebalanceListener
    private let finishedOffsets: FinishedOffsets
    private let stopping = ShutdownSignal()
    private let logger: Logger

    /// - Parameters:
    ///   - consumerConfiguration: brokers and group (`kinfer-workers` by convention); auto-commit is turned off (the
    ///     worker commits itself), and a new group starts from the earliest job unless `auto.offset.reset` is set.
    ///   - producerConfiguration: brokers for results; `acks=all` and idempotence unless set otherwise.
    ///   - metricsFactory: where the worker's metrics go (see the README's metrics table). Defaults to the
    ///     bootstrapped `MetricsSystem.factory`.
    public init(
        consumerConfiguration: KafkaConfiguration,
        producerConfiguration: KafkaConfiguration,
        configuration: WorkerConfiguration,
        models: ModelCatalog,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.worker")
    ) throws(KafkaError) {
        self.configuration = configuration
        self.models = models
        self.logger = logger
        groupID = consumerConfiguration.groupID ?? ""
        let metrics = WorkerMetrics(models: models.models.keys.sorted(), factory: metricsFactory)
        self.metrics = metrics
        let inFlight = InFlightJobs(limit: configuration.maxInFlight)
        self.inFlight = inFlight

        var consumerConfiguration = consumerConfiguration.forConsumerService()
        // librdkafka's prefetch is the worker's largest memory: its default 64 MiB of small jobs (with librdkafka's own
        // per-message overhead) dominated a worker draining a backlog (`docs/benchmarks.md`); 32 MiB still holds
        // seconds of jobs. A set value wins.
        if consumerConfiguration.properties["queued.max.messages.kbytes"] == nil {
            consumerConfiguration.properties["queued.max.messages.kbytes"] = "32768"
        }
        var options = KafkaConsumer.Options()
        options.bufferCapacity = max(500, min(configuration.maxInFlight, 5_000))
        let queues = Dictionary(uniqueKeysWithValues: models.models.map { name, model in
            (name, BatchQueue(maxBatchSize: model is any GenerativeModel ? 1 : configuration.maxBatchSize, maxBatchDelay: configuration.maxBatchDelay))
        })
        self.queues = queues
        let delayed = DelayedJobs { job in queues[job.model.name]?.append(job) }
        self.delayed = delayed
        let listener = WorkerRebalanceListener(inFlight: inFlight, drainTimeout: configuration.rebalanceDrainTimeout, rebalanceCounter: metrics.consumer.rebalances) { revoked in
            queues.values.reduce(delayed.removeAll(in: revoked)) { $0 + $1.removeAll(in: revoked) }
        }
        self.listener = listener
        consumer = try KafkaConsumer(configuration: consumerConfiguration, options: options, rebalanceListener: listener, logger: logger)
        listener.connect(consumer)
        finishedOffsets = FinishedOffsets(
            consumer: consumer, failures: metrics.consumer.commitFailures, logger: logger,
            onFailure: { [counters] in counters.recordCommitFailure() }
        ) {
            inFlight.takeCommittable()
        }

        producer = try KafkaProducer(configuration: producerConfiguration.withDurableProducerDefaults(), logger: logger)
        publisher = OutcomePublisher(producer: producer, configuration: configuration, inFlight: inFlight, counters: counters, metrics: metrics, logger: logger)
        streams = models.models.values.contains { $0 is any GenerativeModel }
            ? StreamPublisher(producer: producer, topic: configuration.topics.stream, linger: configuration.streamLinger, logger: logger)
            : nil
    }

    /// Jobs taken and not yet finished.
    public var inFlightCount: Int { inFlight.count }
    /// Partitions this worker owns now.
    public var assignment: Set<KafkaTopicPartition> { consumer.assignment }
    /// Whether the group has given this worker an assignment that is in force, even an empty one.
    public var hasJoinedGroup: Bool { consumer.hasJoinedGroup }
    /// Partitions paused, by back-pressure or otherwise.
    public var pausedPartitionCount: Int { consumer.pausedPartitionCount }
    /// Assignments received since start.
    public var rebalances: Int { listener.rebalances }

    /// Starts graceful shutdown; ``run()`` returns when it is done.
    public func shutdown() {
        stopping.fire()
    }

    public func run() async throws {
        try consumer.subscribe(topics: [configuration.topics.jobs, configuration.topics.retry])
        logger.info("worker started", metadata: ["worker": "\(configuration.workerName)", "models": "\(models.models.keys.sorted())"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask { await self.commitLoop() }
                    group.addTask { await self.gaugeLoop() }
                    group.addTask { await self.delayed.run() }
                    group.addTask { await self.drainWhenStopping() }
                    group.addTask { await self.publisher.run() }
                    if let streams { group.addTask { await streams.run() } }
                    for (name, queue) in queues {
                        group.addTask { await self.batchLoop(queue, model: self.models.models[name]!) }
                    }
                    await readLoop()
                    stopping.fire()
                    delayed.close()
                    for queue in queues.values { queue.close() }
                }
            } onCancel: {
                self.shutdown()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        await producer.close(timeout: configuration.gracePeriod)
        logger.info("worker stopped", metadata: ["completed": "\(counters.completed)", "in_flight": "\(inFlight.count)"])
    }

    // MARK: Reading

    private func readLoop() async {
        do {
            for try await batch in consumer.batches(maxCount: 500) {
                inFlight.reopen(consumer.assignment)
                var rest = batch[...]
                while !rest.isEmpty && !stopping.hasFired && !Task.isCancelled {  // what is left stays uncommitted: read again later
                    let (admitted, consumed) = await inFlight.admit(rest)
                    for message in admitted { await route(message) }
                    rest = rest.dropFirst(consumed)
                }
            }
        } catch {
            logger.error("consumer failed: \(error)")
        }
    }

    private func route(_ message: KafkaConsumerMessage) async {
        let fallback = message.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date()
        let attemptHeader = message.firstHeader(JobHeaders.attempt).flatMap(Int.init)
        var job: InferenceJob
        var ignoredFields: [JobDecodingError] = []
        do {
            job = try message.withUnsafeValue { value throws(JobDecodingError) in
                try JobCodec.decodeJob(value, fallbackSubmittedAt: fallback, maxBytes: configuration.maxMessageBytes, ignoredFields: &ignoredFields)
            }
        } catch {
            await publisher.publishPoison(message, reason: error.description, jobID: error.jobID, model: nil, submittedAt: nil, attempt: attemptHeader ?? 1)
            return
        }
        for ignored in ignoredFields { reportIgnored(ignored, of: job, in: message) }
        if let attemptHeader { job.attempt = attemptHeader }
        guard let model = models.model(named: job.model) else {
            await publisher.publishPoison(message, reason: "unknown model '\(job.model ?? "")'", jobID: job.jobID, model: job.model, submittedAt: job.submittedAt, attempt: job.attempt)
            return
        }
        if let length = model.inputLength, job.inputs.features.count != length {
            let reason = "model \(model.name) takes \(length) features, the job has \(job.inputs.features.count)"
            await publisher.publishPoison(message, reason: reason, jobID: job.jobID, model: model.name, submittedAt: job.submittedAt, attempt: job.attempt)
            return
        }
        let pending = PendingJob(job: job, message: message, model: model)
        if let notBefore = message.firstHeader(JobHeaders.notBefore).flatMap(JobHeaders.notBefore(from:)), notBefore > Date(), !stopping.hasFired {
            delayed.hold(pending, until: notBefore)
        } else {
            queues[model.name]!.append(pending)
        }
    }

    /// One warning and one count for an optional field the decoder could not read and the job runs without.
    private func reportIgnored(_ ignored: JobDecodingError, of job: InferenceJob, in message: KafkaConsumerMessage) {
        metrics.fieldIgnored(ignored.field).increment()
        logger.warning(
            "ignored an unreadable job field; the job runs without it",
            metadata: [
                "job_id": "\(job.jobID)", "field": "\(ignored.field ?? "")", "reason": "\(ignored.description)",
                "partition": "\(message.partition)", "offset": "\(message.offset)",
            ]
        )
    }

    // MARK: Running models

    private func batchLoop(_ queue: BatchQueue, model: any InferenceModel) async {
        // A generative model's "batches" are single jobs (see `maxConcurrentGenerations`).
        let permits = AsyncPermits(limit: model is any GenerativeModel ? configuration.maxConcurrentGenerations : configuration.maxConcurrentBatches)
        await withDiscardingTaskGroup { group in
            // A batch is cut only when a model call can start: until then its jobs stay queued, where more can
            // join them and where a revoke can still abandon them.
            while true {
                // Cancelled: the queued jobs stay uncommitted, and their next owner runs them.
                guard (try? await permits.acquire()) != nil else { return }
                guard let batch = await queue.nextBatch() else {
                    permits.release()
                    return
                }
                group.addTask {
                    await self.execute(batch, model: model)
                    permits.release()
                }
            }
        }
    }

    private func execute(_ batch: [PendingJob], model: any InferenceModel) async {
        let now = Date()
        let (expired, live) = batch.partitioned { $0.job.expiresAt.map { $0 <= now } ?? false }
        for pending in expired { await publisher.publish(pending, .expired) }
        guard !live.isEmpty else { return }
        counters.recordBatch(size: live.count)
        let startedAt = Date()
        let modelMetrics = metrics.model(model.name)
        for pending in live { modelMetrics.recordQueueWait(submittedAt: pending.job.submittedAt, startedAt: startedAt) }
        let clock = ContinuousClock()
        let started = clock.now
        if let generator = model as? any GenerativeModel, let streams, live.contains(where: \.job.stream) {
            let (streaming, whole) = live.partitioned { $0.job.stream }
            await withDiscardingTaskGroup { group in
                for pending in streaming {
                    group.addTask { await self.stream(pending, from: generator, through: streams, startedAt: startedAt) }
                }
                if !whole.isEmpty { await self.predict(whole, with: model, startedAt: startedAt) }
            }
        } else {
            await predict(live, with: model, startedAt: startedAt)
        }
        modelMetrics.recordBatch(size: live.count, duration: clock.now - started)
    }

    private func predict(_ batch: [PendingJob], with model: any InferenceModel, startedAt: Date) async {
        let outcomes = await BisectingPredictor.predict(batch.map(\.job.inputs), with: model)
        for (pending, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .success(let output): await publisher.publish(pending, .completed(output, startedAt: startedAt))
            case .failure(let failure): await publisher.publish(pending, .failed(failure, startedAt: startedAt))
            }
        }
    }

    /// Runs a job that asked to stream: each token to the stream topic as it is made, then the result, which follows
    /// the stream's last record into the log. A failure ends the stream where it is; the retry streams again from
    /// index 0 under a new run.
    private func stream(_ pending: PendingJob, from model: any GenerativeModel, through streams: StreamPublisher, startedAt: Date) async {
        let writer = streams.start(pending.job)
        let metrics = metrics.model(model.name)
        let started = ContinuousClock.now
        var streamed = 0
        defer { metrics.recordStreamedTokens(streamed) }
        let outcome: JobOutcome
        do {
            var text: GeneratedText?
            for try await event in model.generate(pending.job.inputs) {
                switch event {
                case .chunk(let token):
                    if streamed == 0 { metrics.recordFirstToken(after: ContinuousClock.now - started) }
                    writer.append(token)
                    streamed += 1
                case .finished(let finished): text = finished
                }
                if text != nil { break }
            }
            guard let text else { throw ModelFailure(.retryable, "the generation ended without its final text") }
            outcome = .completed(.text(text), startedAt: startedAt)
        } catch let failure as ModelFailure {
            outcome = .failed(failure, startedAt: startedAt)
        } catch is CancellationError {
            outcome = .failed(ModelFailure(.retryable, "cancelled"), startedAt: startedAt)
        } catch {
            outcome = .failed(ModelFailure(model.failureClass(of: error), "\(error)"), startedAt: startedAt)
        }
        await streams.finish(writer)
        await publisher.publish(pending, outcome)
    }

    // MARK: Offsets and shutdown

    private func commitLoop() async {
        while !stopping.hasFired {
            try? await Task.sleep(for: configuration.commitInterval)
            finishedOffsets.commitInBackground()
        }
    }

    /// Samples the state gauges (in-flight jobs, partitions, producer queue) every second until the worker stops:
    /// they are levels, read where they live, so a scrape sees them at most a second old.
    private func gaugeLoop() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                repeat {
                    self.metrics.inFlight.record(self.inFlight.count)
                    self.metrics.consumer.sample(consumer: self.consumer, producer: self.producer)
                } while (try? await Task.sleep(for: .seconds(1))) != nil
            }
            await stopping.wait()
            group.cancelAll()
        }
    }

    /// Waits for the stop signal, then drains: retries run now, in-flight jobs finish within the
    /// grace period, their offsets are committed, and the consumer leaves the group.
    private func drainWhenStopping() async {
        await stopping.wait()
        logger.info("draining", metadata: ["in_flight": "\(inFlight.count)"])
        try? consumer.pause(Array(consumer.assignment))
        delayed.releaseAll()
        let offsets = await inFlight.release(consumer.assignment, within: configuration.gracePeriod)
        try? consumer.storeOffsets(offsets)
        await finishedOffsets.commit()
        await consumer.close()
        publisher.close()
        streams?.close()
    }
}
