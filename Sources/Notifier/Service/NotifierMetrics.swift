import ConsumerKit
import Metrics

/// The notifier's metrics, through swift-metrics only (the process chooses the backend: Prometheus for `kinfer`).
struct NotifierMetrics: Sendable {
    /// What an attempt led to: the `outcome` label of `kinfer_callbacks_total`.
    enum Outcome: String, CaseIterable, Sendable {
        /// The receiver answered 2xx.
        case delivered
        /// The attempt failed and the delivery went to the retry topic.
        case retried
        /// The receiver answered 410, or the schedule ran out: dead-lettered.
        case givenUp = "given_up"
        /// The guard refused the URL; nothing was sent: dead-lettered.
        case refused
    }

    /// The receiver's status class: the `status_class` label; `none` when it did not answer.
    static let statusClasses = ["2xx", "3xx", "4xx", "5xx", "none"]

    private let callbacks: [String: Counter]
    let attemptDuration: Timer
    let retriesWaiting: Gauge
    let inFlight: Gauge
    let consumer: ConsumerMetrics

    init(factory: any MetricsFactory) {
        var callbacks: [String: Counter] = [:]
        for outcome in Outcome.allCases {
            for statusClass in Self.statusClasses {
                callbacks["\(outcome.rawValue) \(statusClass)"] = Counter(
                    label: "kinfer_callbacks_total",
                    dimensions: [("outcome", outcome.rawValue), ("status_class", statusClass)], factory: factory
                )
            }
        }
        self.callbacks = callbacks
        attemptDuration = Timer(label: "kinfer_callback_attempt_seconds", preferredDisplayUnit: .seconds, factory: factory)
        retriesWaiting = Gauge(label: "kinfer_callback_retries_waiting", factory: factory)
        inFlight = Gauge(label: "kinfer_callbacks_in_flight", factory: factory)
        consumer = ConsumerMetrics(factory: factory)
    }

    func record(_ outcome: Outcome, status: Int?) {
        let statusClass = status.map { (100...599).contains($0) ? "\($0 / 100)xx" : "none" } ?? "none"
        callbacks["\(outcome.rawValue) \(statusClass)"]?.increment()
    }
}
