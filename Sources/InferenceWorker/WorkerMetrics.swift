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

    private let jobs: [String: [Outcome: Counter]]
    private let jobAge: [String: Timer]
    private let queueWait: [String: Timer]
    private let batchDuration: [String: Timer]
    private let batchSize: [String: Recorder]
    let inFlight: Gauge
    let pausedPartitions: Gauge
    let assignedPartitions: Gauge
    let producerQueue: Gauge
    let rebalances: Counter
    let commitFailures: Counter

    init(models: [String], factory: any MetricsFactory) {
        func byModel<M>(_ make: (String) -> M) -> [String: M] {
            Dictionary(uniqueKeysWithValues: models.map { ($0, make($0)) })
        }
        func counters(_ model: String, _ outcomes: [Outcome]) -> [Outcome: Counter] {
            Dictionary(uniqueKeysWithValues: outcomes.map { outcome in
                (outcome, Counter(label: "kinfer_jobs_total", dimensions: [("model", model), ("outcome", outcome.rawValue)], factory: factory))
            })
        }
        // A message for a model not served never reaches a model: it can only be dead-lettered and failed.
        jobs = byModel { counters($0, Outcome.allCases) }.merging([Self.unknownModel: counters(Self.unknownModel, [.deadLettered, .failed])]) { served, _ in served }
        jobAge = byModel { Timer(label: "kinfer_job_age_seconds", dimensions: [("model", $0)], factory: factory) }
        queueWait = byModel { Timer(label: "kinfer_job_queue_wait_seconds", dimensions: [("model", $0)], factory: factory) }
        batchDuration = byModel { Timer(label: "kinfer_model_batch_duration_seconds", dimensions: [("model", $0)], factory: factory) }
        batchSize = byModel { Recorder(label: "kinfer_model_batch_size", dimensions: [("model", $0)], aggregate: true, factory: factory) }
        inFlight = Gauge(label: "kinfer_jobs_in_flight", factory: factory)
        pausedPartitions = Gauge(label: "kinfer_partitions_paused", factory: factory)
        assignedPartitions = Gauge(label: "kinfer_partitions_assigned", factory: factory)
        producerQueue = Gauge(label: "kinfer_producer_queue_messages", factory: factory)
        rebalances = Counter(label: "kinfer_rebalances_total", factory: factory)
        commitFailures = Counter(label: "kinfer_commit_failures_total", factory: factory)
        for gauge in [inFlight, pausedPartitions, assignedPartitions, producerQueue] { gauge.record(0) }
    }

    func recordOutcome(_ outcome: Outcome, model: String?) {
        jobs[label(model)]?[outcome]?.increment()
    }

    /// Submission to terminal result (completed, failed, expired), when the broker acknowledged the result.
    func recordJobAge(submittedAt: Date, model: String) {
        jobAge[label(model)]?.recordSpan(from: submittedAt)
    }

    /// Submission to the start of the model call that carries the job.
    func recordQueueWait(submittedAt: Date, startedAt: Date, model: String) {
        queueWait[label(model)]?.recordSpan(from: submittedAt, to: startedAt)
    }

    func recordBatch(size: Int, duration: Duration, model: String) {
        batchSize[label(model)]?.record(size)
        batchDuration[label(model)]?.record(duration: duration)
    }

    private func label(_ model: String?) -> String {
        guard let model, jobAge[model] != nil else { return Self.unknownModel }
        return model
    }
}

extension Timer {
    /// Records the wall-clock time from `start` to `end` (now by default); a negative span (the submitter's clock
    /// ahead of this host's) counts as `0`.
    func recordSpan(from start: Date, to end: Date = Date()) {
        recordNanoseconds(Int64(max(0, end.timeIntervalSince(start)) * 1e9))
    }
}
