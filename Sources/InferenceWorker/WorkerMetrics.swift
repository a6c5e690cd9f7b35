import ConsumerKit
import Foundation
import Metrics

/// The worker's metrics, through swift-metrics only (the process chooses the backend: Prometheus for `kinfer`).
///
/// Every series is made up front, so that `kinfer_jobs_total` starts at `0` for each model and outcome and alerts
/// and `rate()` work before the first job. Labels are bounded: the catalog's model names (plus `unknown` for
/// messages naming a model the worker does not serve, whatever name they carry) and five outcomes; never a job ID
/// or an offset.
struct WorkerMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case completed, failed, expired
        case deadLettered = "dead_lettered"
        case retried
    }

    /// The model label of messages whose model is not in the catalog (or unreadable).
    static let unknownModel = "unknown"

    private let models: [String: ModelMetrics]
    let consumer: ConsumerMetrics
    let inFlight: Gauge
    /// By field name: the optional job fields whose unreadable values the decoder ignored (`fieldsIgnored(_:)`).
    private let fieldsIgnored: [String: Counter]

    /// The label of an ignored field that is not one of the job's known optional fields (none today; a bound in case
    /// the decoder learns a field before this list does).
    static let otherField = "other"
    /// The job's optional fields, the values of `kinfer_job_fields_ignored_total`'s `field` label.
    static let optionalJobFields = ["model", "submitted_at", "deadline", "timeout_ms", "callback_url", "attempt", "stream", "image_url", "inputs.image_url", "max_tokens", "inputs.max_tokens"]

    init(models: [String], factory: any MetricsFactory) {
        func jobs(_ model: String, _ outcomes: [Outcome]) -> [Outcome: Counter] {
            Dictionary(uniqueKeysWithValues: outcomes.map { outcome in
                (outcome, Counter(label: "kinfer_jobs_total", dimensions: [("model", model), ("outcome", outcome.rawValue)], factory: factory))
            })
        }
        var byName = Dictionary(uniqueKeysWithValues: models.map { model in
            (model, ModelMetrics(
                jobs: jobs(model, Outcome.allCases),
                jobAge: Timer(label: "kinfer_job_age_seconds", dimensions: [("model", model)], factory: factory),
                queueWait: Timer(label: "kinfer_job_queue_wait_seconds", dimensions: [("model", model)], factory: factory),
                batchDuration: Timer(label: "kinfer_model_batch_duration_seconds", dimensions: [("model", model)], factory: factory),
                batchSize: Recorder(label: "kinfer_model_batch_size", dimensions: [("model", model)], aggregate: true, factory: factory),
                streamedTokens: Counter(label: "kinfer_stream_tokens_total", dimensions: [("model", model)], factory: factory),
                firstToken: Timer(label: "kinfer_stream_first_token_seconds", dimensions: [("model", model)], factory: factory)
            ))
        })
        // A message for a model not served never reaches a model: it can only be dead-lettered and failed.
        if byName[Self.unknownModel] == nil {
            byName[Self.unknownModel] = ModelMetrics(jobs: jobs(Self.unknownModel, [.deadLettered, .failed]))
        }
        self.models = byName
        consumer = ConsumerMetrics(factory: factory)
        inFlight = Gauge(label: "kinfer_jobs_in_flight", factory: factory)
        fieldsIgnored = Dictionary(uniqueKeysWithValues: (Self.optionalJobFields + [Self.otherField]).map { field in
            (field, Counter(label: "kinfer_job_fields_ignored_total", dimensions: [("field", field)], factory: factory))
        })
        inFlight.record(0)
    }

    /// The counter of an ignored optional field, by the field's path (`submitted_at`, `inputs.image_url`).
    func fieldIgnored(_ field: String?) -> Counter {
        field.flatMap { fieldsIgnored[$0] } ?? fieldsIgnored[Self.otherField]!
    }

    /// The series of `model`, or of `unknown` for a model not served (or unreadable). Look them up once per job
    /// or batch: recording through them hashes no names.
    func model(_ model: String?) -> ModelMetrics {
        model.flatMap { models[$0] } ?? models[Self.unknownModel]!
    }
}

/// One model's series; the `unknown` model has job counters only.
struct ModelMetrics: Sendable {
    /// By the outcome's place in `Outcome.allCases`: recorded for every job, so not hashed.
    private let jobs: [Counter?]
    private let jobAge: Timer?
    private let queueWait: Timer?
    private let batchDuration: Timer?
    private let batchSize: Recorder?
    private let streamedTokens: Counter?
    private let firstToken: Timer?

    init(
        jobs: [WorkerMetrics.Outcome: Counter], jobAge: Timer? = nil, queueWait: Timer? = nil, batchDuration: Timer? = nil,
        batchSize: Recorder? = nil, streamedTokens: Counter? = nil, firstToken: Timer? = nil
    ) {
        self.jobs = WorkerMetrics.Outcome.allCases.map { jobs[$0] }
        self.jobAge = jobAge
        self.queueWait = queueWait
        self.batchDuration = batchDuration
        self.batchSize = batchSize
        self.streamedTokens = streamedTokens
        self.firstToken = firstToken
    }

    func recordOutcome(_ outcome: WorkerMetrics.Outcome) {
        jobs[WorkerMetrics.Outcome.allCases.firstIndex(of: outcome)!]?.increment()
    }

    /// Submission to terminal result (completed, failed, expired), when the broker acknowledged the result.
    func recordJobAge(submittedAt: Date) {
        jobAge?.recordSpan(from: submittedAt)
    }

    /// Submission to the start of the model call that carries the job.
    func recordQueueWait(submittedAt: Date, startedAt: Date) {
        queueWait?.recordSpan(from: submittedAt, to: startedAt)
    }

    /// A streaming job's first token: from the start of its generation, what the model adds to the caller's wait.
    func recordFirstToken(after duration: Duration) {
        firstToken?.record(duration: duration)
    }

    func recordStreamedTokens(_ count: Int) {
        streamedTokens?.increment(by: count)
    }

    func recordBatch(size: Int, duration: Duration) {
        batchSize?.record(size)
        batchDuration?.record(duration: duration)
    }
}

extension Timer {
    /// Records the wall-clock time from `start` to `end` (now by default); a negative span (the submitter's clock
    /// ahead of this host's) counts as `0`.
    func recordSpan(from start: Date, to end: Date = Date()) {
        recordNanoseconds(Int64(max(0, end.timeIntervalSince(start)) * 1e9))
    }
}
