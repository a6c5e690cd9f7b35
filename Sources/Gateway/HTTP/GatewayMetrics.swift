import Metrics

/// The gateway's metrics, through swift-metrics (the process bootstraps Prometheus): requests by route template and
/// status, jobs accepted, and idempotent replays. Labels are bounded: route templates, never a job ID.
struct GatewayMetrics: Sendable {
    let factory: any MetricsFactory
    let jobsAccepted: Counter
    let replays: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.jobsAccepted = Counter(label: "kinfer_gateway_jobs_accepted_total", factory: factory)
        self.replays = Counter(label: "kinfer_gateway_idempotent_replays_total", factory: factory)
    }

    /// Counts one answered request. The factory caches the counter per label set (Prometheus does).
    func requestFinished(route: GatewayRoute, status: Int) {
        Counter(
            label: "kinfer_gateway_requests_total",
            dimensions: [("route", route.template), ("status", "\(status)")],
            factory: self.factory
        ).increment()
    }
}
