import InferenceJobs
import Kafka
import Synchronization

/// Submits jobs to the jobs topic: keyed by job ID, with the contract's headers, acknowledged by the broker.
///
/// Made from a configuration, it uses an idempotent producer with `acks=all` unless told otherwise,
/// so a job is neither lost nor duplicated by the producer's own retries. When librdkafka's queue is
/// full, `submit` waits; nothing is dropped.
public final class JobProducer: Sendable {
    private let producer: KafkaProducer
    private let topic: String

    /// Submits through an existing producer (which the caller closes).
    public init(producer: KafkaProducer, topics: JobTopics = JobTopics()) {
        self.producer = producer
        self.topic = topics.jobs
    }

    /// Makes its own idempotent producer (`acks=all`) from `configuration`; ``close()`` closes it.
    public convenience init(configuration: KafkaConfiguration, topics: JobTopics = JobTopics()) throws(KafkaError) {
        self.init(producer: try KafkaProducer(configuration: configuration.withDurableProducerDefaults()), topics: topics)
    }

    /// Submits one job and waits for the broker's acknowledgement. A job with an empty `jobID` gets a new one.
    public func submit(_ job: InferenceJob, traceparent: String? = nil) async throws(KafkaError) -> JobReceipt {
        let job = Self.identified(job)
        let report = try await producer.send(message(for: job, traceparent: traceparent))
        return JobReceipt(jobID: job.jobID, partition: report.partition, offset: report.offset)
    }

    /// Submits many jobs at once (pipelined, not one round trip each); receipts come back in order.
    /// Throws the first failure after every job's delivery is settled.
    public func submit(_ jobs: [InferenceJob]) async throws(KafkaError) -> [JobReceipt] {
        let identified = jobs.map(Self.identified)
        let reports = DeliveryCollector(count: identified.count)
        for (index, job) in identified.enumerated() {
            try await producer.enqueue(message(for: job, traceparent: nil)) { reports.deliver(index, $0) }
        }
        let results = await reports.all()
        var receipts: [JobReceipt] = []
        receipts.reserveCapacity(results.count)
        for (job, result) in zip(identified, results) {
            let report = try result.get()
            receipts.append(JobReceipt(jobID: job.jobID, partition: report.partition, offset: report.offset))
        }
        return receipts
    }

    /// Submits without waiting for the acknowledgement; `onDelivery` hears it. For high-rate submitters.
    public func enqueue(_ job: InferenceJob, onDelivery: @escaping @Sendable (Result<JobReceipt, KafkaError>) -> Void) async throws(KafkaError) {
        let job = Self.identified(job)
        try await producer.enqueue(message(for: job, traceparent: nil)) { result in
            onDelivery(result.map { JobReceipt(jobID: job.jobID, partition: $0.partition, offset: $0.offset) })
        }
    }

    /// Delivers everything enqueued (or reports it failed) and closes the producer.
    public func close() async {
        await producer.close()
    }

    /// The Kafka message for `job`: key = job ID, value = the contract's JSON, headers for infrastructure.
    public func message(for job: InferenceJob, traceparent: String?) -> KafkaProducerMessage {
        var headers = [
            KafkaHeader(key: JobHeaders.contentType, string: JobHeaders.contentTypeJSON),
            KafkaHeader(key: JobHeaders.schemaVersion, string: JobHeaders.currentSchemaVersion),
            KafkaHeader(key: JobHeaders.attempt, string: "\(job.attempt)"),
        ]
        if let traceparent { headers.append(KafkaHeader(key: JobHeaders.traceparent, string: traceparent)) }
        return KafkaProducerMessage(topic: topic, key: job.jobID, value: JobCodec.encode(job), headers: headers)
    }

    private static func identified(_ job: InferenceJob) -> InferenceJob {
        guard job.jobID.isEmpty else { return job }
        var job = job
        job.jobID = JobID.make()
        return job
    }
}

/// Gathers the delivery reports of a batch of submissions, in submission order.
private final class DeliveryCollector: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var remaining: Int
        var waiter: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>?
    }
    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    func deliver(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let done = state.withLock { state -> (CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>, [Result<KafkaDeliveryReport, KafkaError>])? in
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.results.map { $0! })
        }
        done.map { $0.0.resume(returning: $0.1) }
    }

    func all() async -> [Result<KafkaDeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [Result<KafkaDeliveryReport, KafkaError>]? in
                guard state.remaining > 0 else { return state.results.map { $0! } }
                state.waiter = continuation
                return nil
            }
            ready.map { continuation.resume(returning: $0) }
        }
    }
}
