import CallbackSafety
import ConsumerKit
import Foundation
import InferenceJobs
import Kafka
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Tells every job with a `callback_url` its result, at least once: a member of the notifier group on the results
/// topic and its own retry topic.
///
/// For each result with a callback it makes one attempt (``CallbackAttempt``: the guard, a permit for the host, a
/// signed `POST`), then carries out the ``DeliveryStep``: done; the result onto the callbacks retry topic with the
/// next attempt's number and time in headers; or onto the callbacks dead-letter topic with the reason. A failing
/// receiver never holds up the partition: its retry waits on the retry topic, and the result's offset is finished
/// once the retry message is acknowledged. A retry read back waits for its time in memory, holding no connection;
/// its offset stays uncommitted until it is finished, so a crash replays it.
///
/// Offsets are committed as the worker commits them: one past the highest offset below which every message is
/// finished (delivered, or its retry or dead letter acknowledged by the broker), so a crash never skips a
/// delivery, and at most the unfinished ones are made twice (receivers deduplicate by `webhook-id`).
///
/// Graceful shutdown stops reading, drops waiting retries (unfinished: their next owner runs them), lets running
/// attempts finish within ``NotifierConfiguration/gracePeriod``, commits, and leaves the group.
public final class CallbackNotifier<Resolver: CallbackResolver>: Service, ConsumerGroupMember, Sendable {
    public let counters = NotifierCounters()
    /// The consumer group this notifier is a member of.
    public let groupID: String
    private let configuration: NotifierConfiguration
    private let attempt: CallbackAttempt<Resolver>
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let admission: DeliveryPermits
    private let ledger = DeliveryLedger()
    private let finishedOffsets: FinishedOffsets
    private let metrics: NotifierMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - consumerConfiguration: brokers and group (`kinfer-notifier` by convention); the notifier commits itself, and
    ///     a new group starts from the earliest result unless `auto.offset.reset` is set.
    ///   - producerConfiguration: brokers for the retry and dead-letter topics; `acks=all` and idempotence unless
    ///     set otherwise (a lost retry is a lost callback).
    ///   - signer: the Standard Webhooks signer with the configured secrets.
    ///   - client: how attempts are made (timeouts, the `User-Agent`).
    ///   - resolver: looks callback hosts up for the guard.
    public init(
        consumerConfiguration: KafkaConfiguration,
        producerConfiguration: KafkaConfiguration,
        configuration: NotifierConfiguration,
        signer: WebhookSigner,
        client: CallbackClient,
        resolver: Resolver,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.notifier")
    ) throws(KafkaError) {
        self.groupID = consumerConfiguration.groupID ?? ""
        self.configuration = configuration
        let metrics = NotifierMetrics(factory: metricsFactory)
        self.metrics = metrics
        self.logger = logger
        self.admission = DeliveryPermits(limit: configuration.maxInFlight, perHostLimit: configuration.maxInFlight)
        self.attempt = CallbackAttempt(
            guardrail: configuration.guardrail, resolver: resolver, signer: signer, client: client,
            permits: DeliveryPermits(limit: configuration.maxConcurrency, perHostLimit: configuration.maxPerHost)
        )
        let listener = NotifierRebalanceListener(ledger: self.ledger, rebalances: metrics.consumer.rebalances)
        self.consumer = try KafkaConsumer(configuration: consumerConfiguration.forConsumerService(), rebalanceListener: listener, logger: logger)
        listener.connect(self.consumer)
        let ledger = self.ledger
        self.finishedOffsets = FinishedOffsets(consumer: self.consumer, failures: metrics.consumer.commitFailures, logger: logger) {
            ledger.tracker.withLock { $0.takeCommittable() }
        }
        self.producer = try KafkaProducer(configuration: producerConfiguration.withDurableProducerDefaults(), logger: logger)
    }

    /// Partitions this notifier owns now.
    public var assignment: Set<KafkaTopicPartition> { self.consumer.assignment }
    /// Whether the group has given this notifier an assignment that is in force, even an empty one.
    public var hasJoinedGroup: Bool { self.consumer.hasJoinedGroup }
    /// The rules callback URLs must pass; a gateway in front should refuse at submit what this refuses.
    public var callbackGuard: CallbackGuard { self.configuration.guardrail }
    /// Messages read and not yet finished, waiting retries included.
    public var inFlightCount: Int { self.ledger.tracker.withLock { $0.inFlight } }

    public func run() async throws {
        let topics = self.configuration.topics
        try self.consumer.subscribe(topics: [topics.results, topics.callbacksRetry])
        self.logger.info("notifier started", metadata: ["topics": "\(topics.results),\(topics.callbacksRetry)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.commitLoop() }
            await self.deliverUntilShutdown()
            group.cancelAll()
        }
        await self.finishedOffsets.commit()
        await self.consumer.close()
        await self.producer.close(timeout: .seconds(10))
        self.logger.info("notifier stopped", metadata: [
            "delivered": "\(self.counters.delivered)", "retried": "\(self.counters.retried)",
            "given_up": "\(self.counters.givenUp)", "refused": "\(self.counters.refused)",
        ])
    }

    /// Reads and delivers until graceful shutdown (or cancellation), then gives running attempts the grace period.
    private func deliverUntilShutdown() async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask {
                await withDiscardingTaskGroup { deliveries in
                    do {
                        for try await batch in self.consumer.batches(maxCount: 256).cancelOnGracefulShutdown() {
                            for message in batch {
                                let admitted = message.topic == self.configuration.topics.results
                                if admitted {
                                    do {
                                        try await cancelWhenGracefulShutdown { try await self.admission.acquire(host: "") }
                                    } catch { return }
                                }
                                self.ledger.tracker.withLock { $0.taken(message.topicPartition, offset: message.offset) }
                                deliveries.addTask {
                                    await self.handle(message)
                                    if admitted { self.admission.release(host: "") }
                                }
                            }
                        }
                    } catch {
                        self.logger.error("the consumer failed; stopping: \(error)")
                    }
                }
            }
            race.addTask {
                // Ends the drain after the grace period; cancelled at once when the drain ends first.
                guard (try? await gracefulShutdown()) != nil else { return }
                try? await Task.sleep(for: self.configuration.gracePeriod)
            }
            await race.next()
            race.cancelAll()
        }
    }

    /// One message from either topic, to its end: finished, or left unfinished when shutdown interrupts it.
    private func handle(_ message: KafkaConsumerMessage) async {
        guard let body = message.value, let result = try? JobCodec.decodeResult(body) else {
            self.counters.recordUnreadable()
            return self.finish(message)
        }
        guard let url = result.callbackURL, !url.isEmpty else {
            self.counters.recordWithoutCallback()
            return self.finish(message)
        }
        let delivery = CallbackHeaders.delivery(of: message)
        if let notBefore = delivery.notBefore, notBefore > Date() {
            guard await self.waitForRetry(until: notBefore) else { return }
        }
        let firstAttempt = delivery.firstAttempt ?? Date()
        let started = ContinuousClock.now
        let made: CallbackClient.Attempt
        do { made = try await self.attempt.run(callbackURL: url, result: result, body: body) } catch { return }
        self.metrics.attemptDuration.record(duration: ContinuousClock.now - started)

        let step = DeliveryStep.after(
            made.outcome, attempt: delivery.attempt, firstAttempt: firstAttempt, now: Date(),
            schedule: self.configuration.retrySchedule
        )
        switch step {
        case .delivered(let status):
            self.record(.delivered, status: status)
        case .retry(let next, let notBefore, let failure):
            let retry = KafkaProducerMessage(
                topic: self.configuration.topics.callbacksRetry, key: message.key, value: body,
                headers: CallbackHeaders.retry(of: message, attempt: next, notBefore: notBefore, firstAttempt: firstAttempt, after: failure)
            )
            guard await self.publish(retry) else { return }
            self.record(.retried, status: failure.status)
        case .giveUp(let failure, let exhausted):
            let deadLetter = CallbackHeaders.deadLetter(
                of: message, to: self.configuration.topics.callbacksDeadLetter, attempt: delivery.attempt, failure: failure
            )
            guard await self.publish(deadLetter) else { return }
            self.record(failure.code == .refused ? .refused : .givenUp, status: failure.status)
            self.logger.notice("callback given up", metadata: [
                "job_id": "\(result.jobID)", "attempt": "\(delivery.attempt)", "exhausted": "\(exhausted)",
                "reason": "\(failure)",
            ])
        }
        self.finish(message)
    }

    /// Waits for a retry's time; `false` when shutdown came first (the retry stays unfinished).
    private func waitForRetry(until notBefore: Date) async -> Bool {
        self.metrics.retriesWaiting.record(self.counters.recordWaiting(1))
        defer { self.metrics.retriesWaiting.record(self.counters.recordWaiting(-1)) }
        let delay = notBefore.timeIntervalSinceNow
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return true
        } catch {
            return false
        }
    }

    /// Sends `message` until the broker acknowledges it; `false` if cancelled first.
    private func publish(_ message: KafkaProducerMessage) async -> Bool {
        var failures = 0
        while true {
            do {
                _ = try await self.producer.send(message)
                return true
            } catch {
                failures += 1
                self.logger.warning("could not write to \(message.topic); trying again: \(error)")
                do { try await Task.sleep(for: Resend.delay(afterFailures: failures)) } catch { return false }
            }
        }
    }

    private func record(_ outcome: NotifierMetrics.Outcome, status: Int?) {
        self.counters.record(outcome)
        self.metrics.record(outcome, status: status)
    }

    private func finish(_ message: KafkaConsumerMessage) {
        let inFlight = self.ledger.tracker.withLock { ledger in
            ledger.finished(message.topicPartition, offset: message.offset)
            return ledger.inFlight
        }
        self.metrics.inFlight.record(inFlight)
    }

    private func commitLoop() async {
        while (try? await Task.sleep(for: self.configuration.commitInterval)) != nil {
            self.finishedOffsets.commitInBackground()
            self.metrics.consumer.sample(consumer: self.consumer, producer: self.producer)
        }
    }
}
